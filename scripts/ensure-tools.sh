#!/usr/bin/env bash
# Installs what the build, the tests and the main job need where it is missing (Debian): a JDK 17+,
# Maven, and WordNet (package wordnet-base: the English text that calibrates and evaluates text
# models). Idempotent and quiet when everything is present.
set -euo pipefail
need=()
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
[ -f /usr/share/wordnet/data.noun ] || need+=(wordnet-base)
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-tools: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}"
fi
