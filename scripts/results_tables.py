#!/usr/bin/env python3
"""Assembles docs/RESULTS.md (and the chart CSVs) from the outputs of scripts/results.sh.

Usage: results_tables.py RESULTS_DIR DOCS_DIR. Every folder under RESULTS_DIR that holds an fp32
evaluation is a section (one model): a table of every method at every ratio, the issue's targets
checked, and one summary table over all models. Ratio = the original ONNX file's bytes / the
.l2c file's bytes.
"""
import json
import math
import os
import re
import sys

METHODS = [("kd", "L²-KD"), ("layerwise", "L²-layerwise"), ("data-free", "L²-data-free"),
           ("uniform", "uniform"), ("uniform-pc", "uniform per-channel"), ("prune", "prune + quantize"),
           ("gptq", "GPTQ")]
LABEL = dict(METHODS)
BASELINES = ("uniform", "uniform-pc", "prune", "gptq")
UNIFORMS = ("uniform", "uniform-pc")
# Section order in the document; sections not listed follow alphabetically.
ORDER = ["fmnist-resnet", "fmnist-mobilenet", "fmnist-vgg", "fmnist-vit", "minilm"]
TITLES = {"fmnist-resnet": "Fashion-MNIST ResNet", "fmnist-mobilenet": "Fashion-MNIST MobileNetV2-style",
          "fmnist-vgg": "Fashion-MNIST VGG-style", "fmnist-vit": "Fashion-MNIST vision transformer",
          "minilm": "all-MiniLM-L6-v2 (WordNet retrieval)"}
NAME = re.compile(r"^(?P<method>[a-z-]+?)-(?P<ratio>\d+)(?:-s(?P<seed>\d+))?\.eval\.json$")


def load(path):
    with open(path) as f:
        return json.load(f)


def maybe(path):
    return load(path) if os.path.exists(path) else None


def read(path, default=""):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return f.read().strip()


def detail(report, key):
    """What the method chose: a baseline's parameters, or the calibration size of L²."""
    if not report:
        return ""
    if report.get("stepFactor") and math.isfinite(float(report["stepFactor"])):
        return f"step {float(report['stepFactor']):.3g}·max\\|w\\|"
    if key == "prune" and "bits" in report:
        return f"B = {report['bits']}, S = {report.get('sparsity', 0):.3f}"
    net = report.get("network")
    if net:
        return f"{net.get('samples', '?')} samples"
    return "" if key in BASELINES else "no data"


def timing(report):
    t = (report or {}).get("timing")
    if not t:
        return ""
    return " / ".join(f"{t.get(k, 0):.1f}" for k in ("forward", "backward", "counter", "transform", "other"))


def score(work, stem, data):
    e = load(os.path.join(work, stem + ".eval.json"))["modelResult"]
    err = load(os.path.join(work, stem + ".compare.json")).get("distortion")
    if data == "wordnet":
        return dict(value=e["accuracyAt1"], acc5=e["accuracyAt5"], cos=e["meanCosine"], err=err)
    return dict(value=e["accuracy"], agree=e["agreement"], err=err)


def collect(work, data, onnx_bytes):
    rows = []
    for f in sorted(os.listdir(work)):
        m = NAME.match(f)
        if not m or m.group("method") not in LABEL:
            continue
        stem = f[: -len(".eval.json")]
        path = os.path.join(work, stem + ".l2c")
        compare = os.path.join(work, stem + ".compare.json")
        # A run is complete once its comparison, the last step, is written.
        if not os.path.exists(path) or not os.path.exists(compare) or os.path.getsize(compare) == 0:
            continue
        size = os.path.getsize(path)
        report = maybe(os.path.join(work, stem + ".report.json"))
        rows.append(dict(key=m.group("method"), target=int(m.group("ratio")),
                         seed=m.group("seed"), size=size, ratio=onnx_bytes / size,
                         wall=float(read(os.path.join(work, stem + ".seconds"), "nan")),
                         detail=detail(report, m.group("method")), timing=timing(report),
                         **score(work, stem, data)))
    order = {k: i for i, (k, _) in enumerate(METHODS)}
    rows.sort(key=lambda r: (r["target"], order[r["key"]], r["seed"] or ""))
    return rows


def pct(x):
    return f"{100 * x:.2f} %"


def by(rows, target, key):
    return [r for r in rows if r["target"] == target and r["key"] == key]


def worst(rows):
    """The lower score over seeds: a target holds only if it holds for every seed."""
    return min(rows, key=lambda r: r["value"]) if rows else None


def versus(rows, target, key, rivals, what):
    """Whether method {key} (its worse seed) beats the best of {rivals} at {target}, or None."""
    mine = worst(by(rows, target, key))
    others = [worst(by(rows, target, k)) for k in rivals if by(rows, target, k)]
    if not mine or not others:
        return None
    best = max(others, key=lambda r: r["value"])
    verdict = ("beats" if mine["value"] > best["value"] else
               "ties with" if mine["value"] == best["value"] else "does NOT beat")
    return (f"{target}×: {LABEL[key]}{' (worse seed)' if key == 'kd' else ''} {verdict} {what} "
            f"({pct(mine['value'])} at {mine['ratio']:.2f}× against {LABEL[best['key']]} {pct(best['value'])} "
            f"at {best['ratio']:.2f}×)")


def checks(section, rows, base):
    """The issue's targets, each as 'met' or 'NOT met' with the figures behind it."""
    out = []
    targets = sorted({r["target"] for r in rows})
    metric = "acc@1" if section == "minilm" else "top-1"
    if section == "minilm":
        limits = {10: 0.5, 16: 2.0}
    else:
        limits = {10: 0.3, 20: 1.0}
    for t, limit in limits.items():
        for r in by(rows, t, "kd"):
            loss = 100 * (base - r["value"])
            line = (f"{t}×, seed {r['seed']}: L²-KD loses {loss:.2f} points of {metric} (target ≤ {limit}): "
                    f"{'met' if loss <= limit else 'NOT met'}")
            if section == "minilm" and t == 10:
                line += f"; mean cosine {r['cos']:.4f} (target ≥ 0.99): {'met' if r['cos'] >= 0.99 else 'NOT met'}"
            out.append(line)
    for t in targets:
        for key, rivals, what in (("kd", BASELINES, "every baseline"), ("data-free", UNIFORMS, "both uniform baselines")):
            line = versus(rows, t, key, rivals, what)
            if line:
                out.append(line)
    return out


def section_text(section, work, results_dir):
    fp32 = load(os.path.join(work, "fp32.eval.json"))
    data = read(os.path.join(work, "data"), "fmnist")
    model = read(os.path.join(work, "model"), fp32.get("model", section))
    onnx_bytes = fp32["originalBytes"]
    o = fp32["originalResult"]
    base = o["accuracyAt1"] if data == "wordnet" else o["accuracy"]
    rows = collect(work, data, onnx_bytes)
    title = TITLES.get(section, section)
    out = [f"## {title}\n", f"Model: `{model}`, {onnx_bytes:,} bytes (ONNX file). "]
    if data == "wordnet":
        n = read(os.path.join(work, "n"), "?")
        out[-1] += (f"Task: WordNet gloss → lemma retrieval over {n} synsets of the evaluation split, sentence "
                    f"embeddings in ONNX Runtime (`l2c eval --data wordnet --n {n}`); cosine = mean cosine of the "
                    f"gloss embeddings to the fp32 model's. KD and GPTQ calibrate on glosses of the calibration "
                    f"split, disjoint from the evaluation one.\n")
        out.append(f"fp32: accuracy@1 **{pct(base)}**, accuracy@5 {pct(o['accuracyAt5'])}.\n")
        out.append("| target | method | seed | chosen | file bytes | ratio | weight error | acc@1 | Δ acc@1 | acc@5 | "
                   "mean cosine | wall time | forward / backward / counter / transform / other (s) |")
        out.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    else:
        out[-1] += ("Top-1 on the 10,000 test images in ONNX Runtime (`l2c eval --data fmnist`); agreement = "
                    "share of test images with the fp32 model's prediction. KD and GPTQ calibrate on images of "
                    "the training split.\n")
        out.append(f"fp32: top-1 **{pct(base)}**.\n")
        out.append("| target | method | seed | chosen | file bytes | ratio | weight error | top-1 | Δ top-1 | "
                   "agreement | wall time | forward / backward / counter / transform / other (s) |")
        out.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        err = f"{r['err']:.4f}" if r["err"] is not None else ""
        cells = [f"{r['target']}×", LABEL[r["key"]], r["seed"] or "–", r["detail"], f"{r['size']:,}",
                 f"{r['ratio']:.2f}", err, pct(r["value"]), f"{100 * (r['value'] - base):+.2f}"]
        cells += [pct(r["acc5"]), f"{r['cos']:.4f}"] if data == "wordnet" else [pct(r["agree"])]
        cells += [f"{r['wall']:.0f} s", r["timing"]]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    # Methods the run left out (METHODS=...), named so that an empty column is not read as a failure.
    missing = [label for key, label in METHODS if key != "layerwise" and not any(r["key"] == key for r in rows)]
    if missing:
        out.append(f"Not run for this model: {', '.join(missing)}.\n")
    out += [f"- {c}." for c in checks(section, rows, base)]
    out.append(f"\n![ratio against {'accuracy@1' if data == 'wordnet' else 'top-1'}](results-{section}.png)\n")
    with open(os.path.join(results_dir, section + ".csv"), "w") as f:
        f.write("method,ratio,value\n")
        f.write(f"fp32,1,{100 * base:.4f}\n")
        for r in rows:
            label = LABEL[r["key"]] + (f" (seed {r['seed']})" if r["seed"] else "")
            f.write(f"{label},{r['ratio']:.4f},{100 * r['value']:.4f}\n")
    with open(os.path.join(results_dir, section + ".title"), "w") as f:
        metric = "accuracy@1 (%)" if data == "wordnet" else "top-1 accuracy (%)"
        f.write(f"{title}: compression ratio against {metric.split(' (')[0]}\n{metric}\n")
    return out, rows, base


def summary(sections):
    """model × ratio × method: the score (seeds 0 / 1 where a method is seeded)."""
    keys = [k for k, _ in METHODS if any(r["key"] == k for _, rows, _ in sections for r in rows)]
    out = ["## Summary\n",
           "Top-1 (Fashion-MNIST) or accuracy@1 (MiniLM) in %; seeded methods give seed 0 / seed 1. "
           "Each cell's file is within the target's band unless the section's table says otherwise.\n",
           "| model | fp32 | target | " + " | ".join(LABEL[k] for k in keys) + " |",
           "|---|---:|---|" + "---:|" * len(keys)]
    for name, rows, base in sections:
        for t in sorted({r["target"] for r in rows}):
            cells = []
            for k in keys:
                vals = by(rows, t, k)
                cells.append(" / ".join(f"{100 * r['value']:.2f}" for r in vals))
            out.append(f"| {TITLES.get(name, name)} | {100 * base:.2f} | {t}× | " + " | ".join(cells) + " |")
    out.append("")
    return out


def main():
    results_dir, docs = sys.argv[1], sys.argv[2]
    names = [d for d in os.listdir(results_dir)
             if os.path.exists(os.path.join(results_dir, d, "fp32.eval.json"))]
    names.sort(key=lambda d: (ORDER.index(d) if d in ORDER else len(ORDER), d))
    body, sections = [], []
    for name in names:
        text, rows, base = section_text(name, os.path.join(results_dir, name), results_dir)
        body += text
        sections.append((name, rows, base))
    for name in ORDER:
        if name not in names:
            body.append(f"## {TITLES[name]}\n\nNot run yet: `scripts/results.sh {name}`.\n")
    head = ["# Results\n",
            "Regenerated by `scripts/results.sh` (this file is its output; `scripts/results.sh SECTION` re-runs one "
            "model). Machine: 2 cores, no GPU. Ratio = the original ONNX file's bytes / the `.l2c` file's bytes. "
            "Every method is coded by the same rANS coder into the same container, at the same target ratio; "
            "every tensor, biases included, is coded. Wall time is the whole `l2c compress` run; the breakdown is "
            "the calibration's (forward and backward passes, the differentiable counter, the transform kernels, "
            "the rest). Seeds: the seed of the calibration sample (and of KD's minibatches). Files are made with "
            "`--no-graph`: the ONNX graph that a `.l2c` stores by default (docs/FORMAT.md, \"ONNX graphs\") is "
            "the same few kB for every method of a model, so the columns compare the weights; with it, a file "
            "grows by 898 to 2,316 bytes (Fashion-MNIST models) or 9,820 bytes (MiniLM).\n"]
    with open(os.path.join(docs, "RESULTS.md"), "w") as f:
        f.write("\n".join(head + summary(sections) + body) + "\n")


if __name__ == "__main__":
    main()
