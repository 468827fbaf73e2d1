#!/usr/bin/env bash
# Builds and runs the native GPU check (src/test/cuda/gpu_check.cu) with nvcc; no Java needed. It
# compares the CUDA decode with the CPU decode bit for bit (docs/FORMAT.md, "Determinism"); like
# the Maven build (pom.xml), it builds without contraction: --fmad=false and -ffp-contract=off.
# Usage: scripts/gpu-check.sh [--build-only | --quick]
#   --build-only  compile only (works without a GPU)
#   --quick       run the CPU-vs-GPU matrix, skip the 256 MiB throughput run
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/gpu-check
mkdir -p "$out"
nvcc -std=c++17 -O3 --fmad=false -Xcompiler -fopenmp,-Wall,-ffp-contract=off,-fno-trapping-math -lgomp \
    -gencode=arch=compute_80,code=sm_80 \
    -gencode=arch=compute_90,code=sm_90 \
    -gencode=arch=compute_90,code=compute_90 \
    -I src/main/cpp -I src/main/cuda \
    src/test/cuda/gpu_check.cu -o "$out/gpu_check"
echo "built $out/gpu_check"
if [[ "${1:-}" == "--build-only" ]]; then exit 0; fi
exec "$out/gpu_check" "$@"
