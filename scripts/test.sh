#!/usr/bin/env bash
# The whole test suite: installs the tools it needs, builds the native kernels (CUDA too where nvcc
# exists), fetches the real MiniLM model through Maven and runs every test; then the Spark job
# (spark/, its own Maven project on the main jar, which `install` puts in the local repository).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/ensure-tools.sh"
cd "$here"
mvn -B -ntp install "$@"
# Arguments go to both builds; a -Dtest= naming only main-module tests leaves the Spark build no test to fail on.
exec mvn -B -ntp -f spark/pom.xml verify -Dsurefire.failIfNoSpecifiedTests=false "$@"
