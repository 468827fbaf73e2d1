#!/usr/bin/env bash
# JMH suite: rANS (CPU, 1 and 2 threads) against zstd-jni (levels 3 and 19) on the same 8-bit
# symbol bytes (Laplacian and MiniLM), then the coded sizes. Installs the l2c jar into ~/.m2,
# packages benchmarks/target/benchmarks.jar and writes out/bench/<stamp>.{json,md}.
# Usage: scripts/bench.sh [JMH args], e.g. scripts/bench.sh RansBenchmark.decode -p threads=1
# L2C_BENCH_NO_BUILD=1 reuses the jars already built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
if [[ "${L2C_BENCH_NO_BUILD:-0}" != 1 ]]; then
    mvn -B -ntp -q -DskipTests install
    mvn -B -ntp -q -f benchmarks/pom.xml package
fi
# Idle OpenMP workers sleep (as in ./l2c): on a shared machine spinning workers starve the
# benchmark threads of the other forks and of other jobs.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"  # as ./l2c
mkdir -p out/bench
stamp="$(date +%Y%m%d-%H%M%S)"
json="out/bench/$stamp.json"
md="out/bench/$stamp.md"
jar=benchmarks/target/benchmarks.jar
java -jar "$jar" -rf json -rff "$json" "$@"
{
    echo "# l2c benchmarks $stamp ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
    echo
    echo "Command: scripts/bench.sh $*"
    echo
    java -cp "$jar" dev.l2c.bench.ResultTable "$json"
    echo
    java -cp "$jar" dev.l2c.bench.SizeReport
} | tee "$md"
echo "results: $json, $md"
