#!/usr/bin/env bash
# Issue 14's load time through the C library (benchmarks/native/load_c.c): the data-free --ratio 10
# MiniLM .l2c decoded as F32 on one thread against reading the fp32 safetensors from the page
# cache; then issue 13's lossless speed: MiniLM's weights in bf16, the --lossless .l2c decoded as
# bf16 against reading the bf16 safetensors. Uses the files LoadBenchmark measures
# (benchmarks/target/load), made here with ./l2c when missing, and target/native/libl2c.so (built
# by `mvn package`).
# Usage: scripts/bench-load-c.sh [reps]    Writes out/bench/<stamp>-load-c.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
dir=benchmarks/target/load
onnx=target/models/minilm/all-minilm-l6-v2.onnx
mkdir -p "$dir" out/bench
[ -f target/native/libl2c.so ] || mvn -B -ntp -q -DskipTests package
[ -f "$dir/minilm-10x.l2c" ] || ./l2c compress "$onnx" -o "$dir/minilm-10x.l2c" --ratio 10 --threads 1 --no-progress
if [ ! -f "$dir/minilm-fp32.safetensors" ]; then
    ./l2c compress "$onnx" -o "$dir/minilm-lossless.l2c" --lossless --force --no-progress
    ./l2c decompress "$dir/minilm-lossless.l2c" -o "$dir/minilm-fp32.safetensors" --no-progress
fi
if [ ! -f "$dir/minilm-bf16-lossless.l2c" ]; then
    [ -f "$dir/minilm-bf16.safetensors" ] ||
        ./l2c decompress "$dir/minilm-lossless.l2c" --dtype bf16 -o "$dir/minilm-bf16.safetensors" --no-progress
    ./l2c compress "$dir/minilm-bf16.safetensors" -o "$dir/minilm-bf16-lossless.l2c" --lossless --threads 1 --no-progress
fi
cc -std=c11 -O2 -Wall -Iinclude benchmarks/native/load_c.c -Ltarget/native -ll2c -Wl,-rpath,"$here/target/native" \
    -o target/native/load_c
stamp="$(date +%Y%m%d-%H%M%S)"
md="out/bench/$stamp-load-c.md"
{
    echo "# C library load time $stamp ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg))"
    echo
    target/native/load_c "$dir/minilm-10x.l2c" "$dir/minilm-fp32.safetensors" "${1:-20}"
    echo
    echo "Lossless bf16 (issue 13):"
    echo
    target/native/load_c "$dir/minilm-bf16-lossless.l2c" "$dir/minilm-bf16.safetensors" "${1:-20}" stored
} | tee "$md"
echo "results: $md"
