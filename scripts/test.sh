#!/usr/bin/env bash
# The whole test suite: installs the tools it needs, builds the native kernels (CUDA too where nvcc
# exists), fetches the real MiniLM model through Maven and runs every test.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/ensure-tools.sh"
cd "$here"
exec mvn -B -ntp verify "$@"
