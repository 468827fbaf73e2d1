#!/usr/bin/env bash
# Regenerates docs/RESULTS.md and its plots: every compression method l2c has, at the same target
# ratios, on every model of the zoo and on all-MiniLM-L6-v2, judged in ONNX Runtime on real data.
#   Fashion-MNIST models (src/test/resources/models/fmnist-*.onnx, trained by `l2c zoo train`):
#     10x, 20x, 40x; top-1 on the 10,000 test images.
#   minilm: all-MiniLM-L6-v2 at 10x and 16x, calibrated on WordNet glosses; WordNet gloss -> lemma
#     retrieval (accuracy@1/@5) and the mean cosine to the fp32 embeddings.
#   Methods: L2-KD, L2-data-free, uniform (one step per tensor), uniform --per-channel, prune +
#   quantize, GPTQ - every one coded by the same rANS coder at the same target file size.
#   L2-KD and L2-layerwise (seeded: their calibration sample and minibatches) run once per seed of
#   SEEDS (MINILM_SEEDS for MiniLM, where one KD run takes minutes); the others run once (GPTQ draws
#   its calibration sample with seed 0; the rest use no data).
# Usage: scripts/results.sh [SECTION...]      SECTION: a zoo model (fmnist-resnet, fmnist-mobilenet,
#   fmnist-vgg, fmnist-vit), fmnist (all four), minilm, or all (the default).
#   Environment: SEEDS (default "0 1"), MINILM_SEEDS (default "0"), METHODS (default "kd data-free uniform uniform-pc prune gptq";
#   add layerwise to include it), N_GLOSSES (default 2000), CALIB_SIZE_FMNIST (default 4000),
#   RESUME=1 (keep the runs whose evaluation exists, e.g. after an interrupted section).
#   A section's outputs go to out/results/<section>/; docs/RESULTS.md is assembled from every section
#   found there, so one section can be re-run alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
seeds="${SEEDS:-0 1}"
minilm_seeds="${MINILM_SEEDS:-0}"
methods="${METHODS:-kd data-free uniform uniform-pc prune gptq}"
n_glosses="${N_GLOSSES:-2000}"
calib_size_fmnist="${CALIB_SIZE_FMNIST:-4000}"
fmnist_models="fmnist-resnet fmnist-mobilenet fmnist-vgg fmnist-vit"
./l2c --version >/dev/null  # builds on first use
l2c() { ./l2c "$@" --no-progress; }

# compress_timed WORK NAME ARGS...: compresses to WORK/NAME.l2c, wall time in WORK/NAME.seconds
compress_timed() {
    local work="$1" name="$2"; shift 2
    local start end
    start=$(date +%s.%N)
    # --no-graph: the method comparison is about the weights; the graph (docs/FORMAT.md "ONNX
    # graphs") would add the same few kB to every method's file of a model.
    l2c compress "$@" -o "$work/$name.l2c" --force --closest --no-graph --report "$work/$name.report.json" > "$work/$name.log"
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.1f}')" > "$work/$name.seconds"
}

# method_args METHOD DATA: the compress options of one method (the ratio and seed come separately)
method_args() {
    local calib=(--calib "$2")
    [ "$2" = fmnist ] && calib+=(--calib-size "$calib_size_fmnist")
    case "$1" in
        kd|layerwise) echo "${calib[@]} --objective $1" ;;
        data-free)    echo "" ;;
        uniform)      echo "--method uniform" ;;
        uniform-pc)   echo "--method uniform --per-channel" ;;
        prune)        echo "--method prune" ;;
        gptq)         echo "--method gptq ${calib[*]}" ;;
        *) echo "unknown method '$1'" >&2; return 2 ;;
    esac
}

seeded() { case "$1" in kd|layerwise) return 0 ;; *) return 1 ;; esac; }

# run_model NAME MODEL DATA RATIOS...: every method at every ratio, evaluated on DATA
run_model() {
    local section="$1" model="$2" data="$3"; shift 3
    local work="out/results/$section" eval_opts=(--data "$data")
    [ "$data" = wordnet ] && eval_opts+=(--n "$n_glosses")
    mkdir -p "$work"
    echo "$model" > "$work/model"
    echo "$data" > "$work/data"
    echo "$n_glosses" > "$work/n"
    if [ "${RESUME:-0}" != 1 ] || [ ! -s "$work/fp32.eval.json" ]; then
        l2c eval "$model" --model "$model" "${eval_opts[@]}" --json > "$work/fp32.eval.json"
    fi
    for ratio in "$@"; do
        for method in $methods; do
            local runs=("")
            if seeded "$method"; then
                if [ "$data" = wordnet ]; then runs=($minilm_seeds); else runs=($seeds); fi
            fi
            for seed in "${runs[@]}"; do
                local name="$method-$ratio" seed_opts=()
                [ -n "$seed" ] && { name="$name-s$seed"; seed_opts=(--seed "$seed"); }
                if [ "${RESUME:-0}" = 1 ] && [ -s "$work/$name.compare.json" ]; then
                    echo "$section $name: kept"
                    continue
                fi
                # shellcheck disable=SC2046  # method_args's words are options
                compress_timed "$work" "$name" "$model" --ratio "$ratio" $(method_args "$method" "$data") "${seed_opts[@]}"
                l2c eval "$work/$name.l2c" --model "$model" "${eval_opts[@]}" --json > "$work/$name.eval.json"
                l2c compare "$work/$name.l2c" --model "$model" --json > "$work/$name.compare.json"
                echo "$section $name: done"
            done
        done
    done
}

sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(all)
for s in "${sections[@]}"; do
    case "$s" in
        all)     for m in $fmnist_models; do run_model "$m" "src/test/resources/models/$m.onnx" fmnist 10 20 40; done
                 run_model minilm target/models/minilm/all-minilm-l6-v2.onnx wordnet 10 16 ;;
        fmnist)  for m in $fmnist_models; do run_model "$m" "src/test/resources/models/$m.onnx" fmnist 10 20 40; done ;;
        fmnist-*) run_model "$s" "src/test/resources/models/$s.onnx" fmnist 10 20 40 ;;
        minilm)  run_model minilm target/models/minilm/all-minilm-l6-v2.onnx wordnet 10 16 ;;
        *) echo "usage: scripts/results.sh [fmnist-resnet|fmnist-mobilenet|fmnist-vgg|fmnist-vit|fmnist|minilm|all]..." >&2; exit 2 ;;
    esac
done
python3 scripts/results_tables.py out/results docs
for csv in out/results/*.csv; do
    section="$(basename "$csv" .csv)"
    ./l2c chart --csv "$csv" -o "docs/results-$section.png" --force --reference fp32 \
        --title "$(head -1 "out/results/$section.title")" --y-label "$(sed -n 2p "out/results/$section.title")" > /dev/null
done
echo "wrote docs/RESULTS.md"
