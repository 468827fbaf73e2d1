#!/usr/bin/env bash
# Installs what the build, the tests and the main job need where it is missing (Debian): a JDK 17+,
# Maven, WordNet (package wordnet-base: the English text that calibrates and evaluates text
# models) and Fashion-MNIST (package dataset-fashion-mnist: the images that train, calibrate and
# evaluate the reference CNN), Python 3 with numpy (scripts/hf-folder.py builds the synthetic
# checkpoints the scale tests compress), zlib's headers (the C ABI's reader, libl2c.so, inflates the
# index with zlib). Idempotent and quiet when everything is present.
set -euo pipefail
need=()
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
[ -f /usr/share/wordnet/data.noun ] || need+=(wordnet-base)
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
python3 -c 'import numpy' >/dev/null 2>&1 || need+=(python3 python3-numpy)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-tools: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}"
fi
