#!/usr/bin/env python3
"""Assembles docs/RESULTS.md (and the chart CSVs) from the outputs of scripts/results.sh.

Usage: results_tables.py RESULTS_DIR DOCS_DIR. Each section (fmnist, minilm) is written when its
folder under RESULTS_DIR holds its fp32 evaluation; a section not run yet is said to be missing.
"""
import json
import os
import sys

METHODS = [("kd", "L²-KD"), ("layerwise", "L²-layerwise"), ("data-free", "L²-data-free"),
           ("uniform", "uniform --bits"), ("prune", "prune + quantize")]
BASELINES = ("uniform", "prune")


def load(path):
    with open(path) as f:
        return json.load(f)


def maybe(path):
    return load(path) if os.path.exists(path) else None


def read(path):
    with open(path) as f:
        return f.read().strip()


def method_detail(report, method):
    """The chosen baseline parameters, or the L² objective's calibration size."""
    if report is None:
        return ""
    if method == "uniform":
        return f"B = {report['bits']}"
    if method == "prune":
        return f"B = {report['bits']}, S = {report['sparsity']:.3f}"
    net = report.get("network")
    return f"{net['samples']} samples" if net else "no data"


def timing_cell(report):
    """The calibration's time by part (forward / backward / counter / transform / other), or empty."""
    t = (report or {}).get("timing")
    if not t:
        return ""
    return " / ".join(f"{t[k]:.1f}" for k in ("forward", "backward", "counter", "transform", "other"))


def rows(work, ratios, score):
    out = []
    for ratio in ratios:
        for key, label in METHODS:
            name = f"{key}-{ratio}"
            if not os.path.exists(os.path.join(work, name + ".eval.json")):
                continue
            size = os.path.getsize(os.path.join(work, name + ".l2c"))
            report = maybe(os.path.join(work, name + ".report.json"))
            original = (report or {}).get("originalBytes")
            out.append(dict(target=ratio, key=key, label=label, size=size,
                            ratio=original / size if original else float("nan"),
                            wall=float(read(os.path.join(work, name + ".seconds"))),
                            detail=method_detail(report, key), timing=timing_cell(report),
                            **score(work, name)))
    return out


def verdicts(table, ratios, metric, higher_is_better=True):
    """Whether L²-KD beats every baseline at each ratio on the metric."""
    lines = []
    for ratio in ratios:
        kd = next((r for r in table if r["target"] == ratio and r["key"] == "kd"), None)
        base = [r for r in table if r["target"] == ratio and r["key"] in BASELINES]
        if kd is None or not base:
            continue
        best = max(base, key=lambda r: r[metric] if higher_is_better else -r[metric])
        won = kd[metric] > best[metric] if higher_is_better else kd[metric] < best[metric]
        lines.append(f"{ratio}×: L²-KD {'beats' if won else 'does NOT beat'} the best baseline "
                     f"({best['label']}: {kd[metric]:.4g} vs {best[metric]:.4g})")
    return lines


def fmnist_section(work, results_dir):
    fp32 = load(os.path.join(work, "fp32.eval.json"))
    base_acc = fp32["originalResult"]["accuracy"]

    def score(w, name):
        e = load(os.path.join(w, name + ".eval.json"))
        return dict(acc=e["modelResult"]["accuracy"], agree=e["modelResult"]["agreement"])

    ratios = (10, 20, 40)
    table = rows(work, ratios, score)
    out = ["## Fashion-MNIST: the reference ResNet\n",
           f"Model: `src/test/resources/models/fmnist-resnet.onnx` (trained by `l2c zoo train fmnist-resnet`, "
           f"BatchNormalization folded into the convolutions), {fp32['originalBytes']:,} bytes. Top-1 on the 10,000 "
           f"test images in ONNX Runtime (`l2c eval --data fmnist`); agreement = share of test images with the fp32 "
           f"model's prediction. Ratio = original tensor bytes / `.l2c` file bytes. Every method is coded by the same "
           f"rANS coder; biases (tensors under 128 elements) stay exact in all of them. Calibration (KD, layer-wise): 4,000 "
           f"images of the training split (`--calib-size 4000`).\n",
           f"fp32: top-1 **{100 * base_acc:.2f} %**.\n",
           "| target | method | chosen | file bytes | ratio | top-1 | Δ top-1 | agreement | wall time | "
           "forward / backward / counter / transform / other (s) |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in table:
        out.append(f"| {r['target']}× | {r['label']} | {r['detail']} | {r['size']:,} | {r['ratio']:.2f} | "
                   f"{100 * r['acc']:.2f} % | {100 * (r['acc'] - base_acc):+.2f} | {100 * r['agree']:.2f} % | "
                   f"{r['wall']:.0f} s | {r['timing']} |")
    out.append("")
    for ratio, limit in ((10, 0.3), (20, 1.0)):
        kd = next((r for r in table if r["target"] == ratio and r["key"] == "kd"), None)
        if kd:
            loss = 100 * (base_acc - kd["acc"])
            out.append(f"- {ratio}×: L²-KD loses {loss:.2f} points of top-1 (target ≤ {limit}): "
                       f"{'met' if loss <= limit else 'NOT met'}.")
    out += [f"- {v}." for v in verdicts(table, ratios, "acc")]
    out.append("\n![ratio against top-1](results-fmnist.png)\n")
    with open(os.path.join(results_dir, "fmnist.csv"), "w") as f:
        f.write("method,ratio,value\n")
        f.write(f"fp32,1,{100 * base_acc:.4f}\n")
        for r in table:
            f.write(f"{r['label']},{r['ratio']:.4f},{100 * r['acc']:.4f}\n")
    with open(os.path.join(results_dir, "fmnist.title"), "w") as f:
        f.write("Fashion-MNIST ResNet: compression ratio against top-1\ntop-1 accuracy (%)\n")
    return out


def minilm_section(work, results_dir):
    fp32 = load(os.path.join(work, "fp32.eval.json"))
    o = fp32["originalResult"]
    n = read(os.path.join(work, "n"))

    def score(w, name):
        m = load(os.path.join(w, name + ".eval.json"))["modelResult"]
        c = load(os.path.join(w, name + ".compare.json"))
        return dict(acc1=m["accuracyAt1"], acc5=m["accuracyAt5"], cos=m["meanCosine"], err=c["distortion"])

    ratios = (8, 10, 16)
    table = rows(work, ratios, score)
    out = ["## all-MiniLM-L6-v2: WordNet retrieval\n",
           f"Model: all-MiniLM-L6-v2, fp32 ONNX, {fp32['originalBytes']:,} bytes, 22.6 M parameters. Retrieval: "
           f"WordNet gloss → lemma, {n} synsets of the evaluation split, sentence embeddings in ONNX Runtime "
           f"(`l2c eval --data wordnet`); cosine = mean cosine of the gloss embeddings to the fp32 model's; weight "
           f"error = Σ ‖W − Ŵ‖² / ‖W‖² (`l2c compare`). KD and layer-wise calibrate on glosses of the calibration "
           f"split (disjoint from the evaluation one).\n",
           f"fp32: accuracy@1 **{100 * o['accuracyAt1']:.2f} %**, accuracy@5 {100 * o['accuracyAt5']:.2f} %.\n",
           "| target | method | chosen | file bytes | ratio | weight error | acc@1 | acc@5 | mean cosine | wall time | "
           "forward / backward / counter / transform / other (s) |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in table:
        out.append(f"| {r['target']}× | {r['label']} | {r['detail']} | {r['size']:,} | {r['ratio']:.2f} | "
                   f"{r['err']:.4f} | {100 * r['acc1']:.2f} % | {100 * r['acc5']:.2f} % | {r['cos']:.4f} | "
                   f"{r['wall']:.0f} s | {r['timing']} |")
    out.append("")
    kd = next((r for r in table if r["target"] == 10 and r["key"] == "kd"), None)
    if kd:
        drop = 100 * (o["accuracyAt1"] - kd["acc1"])
        out.append(f"- 10×: L²-KD accuracy@1 is {drop:.2f} points below fp32 (target ≤ 1): "
                   f"{'met' if drop <= 1 else 'NOT met'}; mean cosine {kd['cos']:.4f} (target ≥ 0.98): "
                   f"{'met' if kd['cos'] >= 0.98 else 'NOT met'}.")
    out += [f"- {v} on accuracy@1." for v in verdicts(table, ratios, "acc1")]
    out += [f"- {v} on mean cosine." for v in verdicts(table, ratios, "cos")]
    out.append("\n![ratio against accuracy@1](results-minilm.png)\n")
    with open(os.path.join(results_dir, "minilm.csv"), "w") as f:
        f.write("method,ratio,value\n")
        f.write(f"fp32,1,{100 * o['accuracyAt1']:.4f}\n")
        for r in table:
            f.write(f"{r['label']},{r['ratio']:.4f},{100 * r['acc1']:.4f}\n")
    with open(os.path.join(results_dir, "minilm.title"), "w") as f:
        f.write("all-MiniLM-L6-v2: compression ratio against WordNet accuracy@1\naccuracy@1 (%)\n")
    return out


def main():
    results_dir, docs = sys.argv[1], sys.argv[2]
    out = ["# Results\n",
           "Regenerated by `scripts/results.sh` (this file is its output; `scripts/results.sh fmnist` or "
           "`scripts/results.sh minilm` re-runs one section). Machine: 2 cores, no GPU. Wall time is the whole "
           "`l2c compress` run; the breakdown is the calibration's (forward and backward passes through the "
           "network, the differentiable counter, the transform kernels, the rest).\n"]
    for name, section in (("fmnist", fmnist_section), ("minilm", minilm_section)):
        work = os.path.join(results_dir, name)
        if os.path.exists(os.path.join(work, "fp32.eval.json")):
            out += section(work, results_dir)
        else:
            out.append(f"## {name}\n\nNot run yet: `scripts/results.sh {name}`.\n")
    with open(os.path.join(docs, "RESULTS.md"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
