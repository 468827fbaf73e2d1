#!/usr/bin/env bash
# Native rANS peer benchmark: l2c's CPU decoder and encoder against htscodecs' rANS 4x16 order-0
# with its 32-way AVX2 path (Debian libhtscodecs-dev, installed here when missing), on the MiniLM
# 8-bit symbols with l2c's table per tensor, in one process (benchmarks/native/rans_peer.cpp).
# Usage: scripts/bench-peer.sh [reps]    L2C_BENCH_NO_BUILD=1 reuses the jars already built.
# Writes out/bench/<stamp>-peer.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
if [ ! -f /usr/include/htscodecs/rANS_static4x16.h ]; then
    echo "bench-peer: installing libhtscodecs-dev"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq libhtscodecs-dev
fi
if [[ "${L2C_BENCH_NO_BUILD:-0}" != 1 ]]; then
    mvn -B -ntp -q -DskipTests install
    mvn -B -ntp -q -f benchmarks/pom.xml package
fi
work="target/bench-peer"
mkdir -p "$work" out/bench
java -cp benchmarks/target/benchmarks.jar dev.l2c.bench.SymbolDump "$work/minilm.sym"
# The flags of the JNI build (pom.xml): -O3, no FMA contraction, OpenMP; no -march, so the AVX2
# paths are the ones chosen at run time, as in the library.
g++ -std=c++17 -O3 -ffp-contract=off -fopenmp -Wall -I src/main/cpp benchmarks/native/rans_peer.cpp \
    -lhtscodecs -o "$work/rans_peer"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"  # as ./l2c
stamp="$(date +%Y%m%d-%H%M%S)"
md="out/bench/$stamp-peer.md"
{
    echo "# rANS peer benchmark $stamp ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg))"
    echo
    "$work/rans_peer" "$work/minilm.sym" "${1:-15}"
} | tee "$md"
echo "results: $md"
