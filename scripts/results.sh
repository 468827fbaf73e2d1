#!/usr/bin/env bash
# Regenerates docs/RESULTS.md and its plots: every compression method l2c has, at the same target
# ratios, judged in ONNX Runtime on real data.
#   fmnist: the reference Fashion-MNIST ResNet (src/test/resources/models/fmnist-resnet.onnx) at
#           10x, 20x and 40x - fp32, L2-KD, L2-layerwise, L2-data-free, uniform --bits and magnitude
#           prune + quantize at the closest file size; top-1 on the 10,000 test images.
#   minilm: all-MiniLM-L6-v2 at 8x, 10x and 16x, the same methods calibrated on WordNet glosses;
#           WordNet gloss -> lemma retrieval (accuracy@1/@5) and the mean cosine to fp32 embeddings.
# Usage: scripts/results.sh [fmnist|minilm|all] [N_GLOSSES]
#   A section's outputs go to out/results/<section>/; docs/RESULTS.md is assembled from the
#   sections found there, so one section can be re-run alone. ~8 min (fmnist) and ~25 min
#   (minilm) on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
which="${1:-all}"
n="${2:-2000}"
./l2c --version >/dev/null  # builds on first use
l2c() { ./l2c "$@" --no-progress; }

# compress_timed WORK NAME ARGS...: compresses to WORK/NAME.l2c, wall time in WORK/NAME.seconds
compress_timed() {
    local work="$1" name="$2"; shift 2
    local start end
    start=$(date +%s.%N)
    l2c compress "$@" -o "$work/$name.l2c" --force --report "$work/$name.report.json" > "$work/$name.log"
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.1f}')" > "$work/$name.seconds"
}

run_fmnist() {
    local model=src/test/resources/models/fmnist-resnet.onnx work=out/results/fmnist
    # Biases (a few dozen floats each) stay exact; every weight matrix takes part. Calibration on
    # 4,000 training images: with the default 1,000, the reconstruction fits the 77 k weights to
    # the sample (20x: 90.76 % with 1,000, 91.36 % with 4,000, 91.12 % with 8,000).
    local opts=(--min-elements 128)
    mkdir -p "$work"
    l2c eval "$model" --model "$model" --data fmnist --json > "$work/fp32.eval.json"
    for ratio in 10 20 40; do
        for method in kd layerwise data-free uniform prune; do
            local name="$method-$ratio"
            case "$method" in
                kd|layerwise) compress_timed "$work" "$name" "$model" --ratio "$ratio" --calib fmnist --objective "$method" \
                                  --calib-size 4000 "${opts[@]}" ;;
                data-free)    compress_timed "$work" "$name" "$model" --ratio "$ratio" "${opts[@]}" ;;
                *)            compress_timed "$work" "$name" "$model" --ratio "$ratio" --method "$method" "${opts[@]}" ;;
            esac
            l2c eval "$work/$name.l2c" --model "$model" --data fmnist --json > "$work/$name.eval.json"
            echo "fmnist $name: done"
        done
    done
}

run_minilm() {
    local model=target/models/minilm/all-minilm-l6-v2.onnx work=out/results/minilm
    mkdir -p "$work"
    echo "$n" > "$work/n"
    l2c eval "$model" --model "$model" --data wordnet --n "$n" --json > "$work/fp32.eval.json"
    for ratio in 8 10 16; do
        for method in kd layerwise data-free uniform prune; do
            local name="$method-$ratio"
            case "$method" in
                kd|layerwise) compress_timed "$work" "$name" "$model" --ratio "$ratio" --calib wordnet --objective "$method" ;;
                data-free)    compress_timed "$work" "$name" "$model" --ratio "$ratio" ;;
                *)            compress_timed "$work" "$name" "$model" --ratio "$ratio" --method "$method" ;;
            esac
            l2c eval "$work/$name.l2c" --model "$model" --data wordnet --n "$n" --json > "$work/$name.eval.json"
            l2c compare "$work/$name.l2c" --model "$model" --json > "$work/$name.compare.json"
            echo "minilm $name: done"
        done
    done
}

case "$which" in
    fmnist) run_fmnist ;;
    minilm) run_minilm ;;
    all) run_fmnist; run_minilm ;;
    *) echo "usage: scripts/results.sh [fmnist|minilm|all] [N_GLOSSES]" >&2; exit 2 ;;
esac
python3 scripts/results_tables.py out/results docs
for section in fmnist minilm; do
    if [ -f "out/results/$section.csv" ]; then
        ./l2c chart --csv "out/results/$section.csv" -o "docs/results-$section.png" --force --reference fp32 \
            --title "$(head -1 "out/results/$section.title")" --y-label "$(sed -n 2p "out/results/$section.title")" > /dev/null
    fi
done
echo "wrote docs/RESULTS.md"
