#!/usr/bin/env python3
"""Builds a Hugging Face-style model folder from one safetensors file.

The folder holds the weights as sharded safetensors (model-0000i-of-0000N.safetensors, at most
--shard-bytes each, HF's header layout: "__metadata__": {"format": "pt"}) with
model.safetensors.index.json, and copies of the --extra files (config.json, tokenizer.json, ...;
"SRC=REL/PATH" puts one at a sub-path).

With --size BYTES it builds a synthetic checkpoint of about that size for scale tests: the real
tensors repeated as layers "layers.K.<name>" until the size is reached, each copy with its lowest
mantissa bits (2 of BF16/F16, 10 of F32) replaced by random bits, so that copies are not
byte-identical (a coder cannot find them by matching) but keep the real exponent and sign
statistics. Needs numpy for --size (Debian: python3-numpy). Deterministic for a given --seed.

  python3 scripts/hf-folder.py model.safetensors OUT_DIR [--shard-bytes N] [--size N] [--extra F ...]
"""
import argparse
import json
import os
import shutil
import struct
import sys


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        start = 8 + n
        tensors = []
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            b, e = entry["data_offsets"]
            f.seek(start + b)
            tensors.append((name, entry["dtype"], entry["shape"], f.read(e - b)))
    return tensors


def write_shard(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, _, data in tensors:
            f.write(data)
    os.replace(tmp, path)
    return 8 + len(text) + offset


MANTISSA_NOISE = {"BF16": ("<u2", 2), "F16": ("<u2", 2), "F32": ("<u4", 10)}


def perturbed(data, dtype, rng):
    import numpy as np
    if dtype not in MANTISSA_NOISE:
        return data
    kind, bits = MANTISSA_NOISE[dtype]
    a = np.frombuffer(data, dtype=kind).copy()
    mask = (1 << bits) - 1
    noise = rng.integers(0, mask + 1, size=a.shape, dtype=a.dtype)
    a = (a & ~np.array(mask, dtype=a.dtype)) | noise
    return a.tobytes()


def tensors_of_size(real, size, seed):
    import numpy as np
    rng = np.random.default_rng(seed)
    layer = 0
    total = 0
    while total < size:
        for name, dtype, shape, data in real:
            if total >= size:
                return
            yield ("layers.%d.%s" % (layer, name), dtype, shape, perturbed(data, dtype, rng))
            total += len(data)
        layer += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("--shard-bytes", type=int, default=5 * 10**9)
    ap.add_argument("--size", type=int, default=0, help="build a synthetic checkpoint of about this many bytes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--extra", action="append", default=[], help="a file to copy into the folder (SRC or SRC=REL/PATH)")
    args = ap.parse_args()

    real = read_safetensors(args.source)
    source = tensors_of_size(real, args.size, args.seed) if args.size > 0 else iter(real)
    os.makedirs(args.out, exist_ok=False)
    # Shards are named once their count is known: written under temporary names first.
    shards, current, current_bytes = [], [], 0
    weight_map, total = {}, 0

    def flush():
        nonlocal current, current_bytes
        if current:
            path = os.path.join(args.out, ".shard-%05d" % len(shards))
            write_shard(path, current)
            shards.append((path, [t[0] for t in current]))
            current, current_bytes = [], 0

    for t in source:
        if current and current_bytes + len(t[3]) > args.shard_bytes:
            flush()
        current.append(t)
        current_bytes += len(t[3])
        total += len(t[3])
    flush()
    n = len(shards)
    for i, (path, names) in enumerate(shards):
        name = "model.safetensors" if n == 1 else "model-%05d-of-%05d.safetensors" % (i + 1, n)
        os.replace(path, os.path.join(args.out, name))
        for t in names:
            weight_map[t] = name
    if n > 1:
        index = {"metadata": {"total_size": total}, "weight_map": weight_map}
        with open(os.path.join(args.out, "model.safetensors.index.json"), "w") as f:
            json.dump(index, f, indent=2, sort_keys=True)
            f.write("\n")
    for extra in args.extra:
        src, _, rel = extra.partition("=")
        dst = os.path.join(args.out, rel or os.path.basename(src))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
    print("%s: %d shard(s), %d tensors, %d bytes of weights" % (args.out, n, sum(len(s[1]) for s in shards), total))


if __name__ == "__main__":
    sys.exit(main())
