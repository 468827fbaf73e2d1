#!/usr/bin/env python3
"""How far lossless coding of bf16 weights can go with simple contexts: conditional entropies.

Usage: scripts/bf16_entropy.py MODEL.safetensors

l2c's --lossless codes a bf16 tensor as two planes, each with an order-0 rANS table: the exponent
byte and the sign + 7 mantissa bits (docs/DESIGN.md, "Lossless stage"). This prints, over every
BF16 tensor of at least 1,000 elements, the empirical entropy in bits per element of those planes
and of context models a coder could add, each as the conditional entropy H(X | context) measured on
the tensor itself. That is a lower bound on what such a model codes: the cost of its tables, which
grows with the contexts, is left out. Percentages are of the 16 bits of a bf16 value.
"""
import json
import struct
import sys

import numpy as np


def entropy(counts):
    c = counts[counts > 0].astype(np.float64)
    return float(-(c * np.log2(c / c.sum())).sum())


def conditional(context, symbol, alphabet=256):
    """H(symbol | context) in bits, summed over the elements."""
    return entropy(np.bincount(context * alphabet + symbol)) - entropy(np.bincount(context))


def local_mean(e, k):
    """The mean of the k exponents before each element (fewer at the start), rounded to 1/4."""
    sums = np.concatenate([[0.0], np.cumsum(e, dtype=np.float64)])
    idx = np.arange(e.size)
    lo = np.maximum(0, idx - k)
    mean = (sums[idx] - sums[lo]) / np.maximum(1, idx - lo)
    return np.clip(np.rint(mean * 4).astype(np.int64), 0, 1023)


def main(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        rows = {}
        total = 0
        for name, info in header.items():
            if name == "__metadata__" or info.get("dtype") != "BF16":
                continue
            begin, end = info["data_offsets"]
            f.seek(base + begin)
            x = np.frombuffer(f.read(end - begin), dtype="<u2")
            if x.size < 1000:
                continue
            total += x.size
            e = ((x >> 7) & 0xFF).astype(np.int64)
            sm = (((x >> 15) << 7) | (x & 0x7F)).astype(np.int64)
            prev = np.concatenate([[0], e[:-1]])
            add = {
                "exponent, order 0 (l2c today)": entropy(np.bincount(e)),
                "exponent given the previous exponent": conditional(prev, e),
                "exponent given the mean of the 32 exponents before": conditional(local_mean(e, 32), e),
                "exponent given the mean of the 128 exponents before": conditional(local_mean(e, 128), e),
                "sign + mantissa, order 0 (l2c today)": entropy(np.bincount(sm)),
                "sign + mantissa given the exponent": conditional(e, sm),
            }
            for key, bits in add.items():
                rows[key] = rows.get(key, 0.0) + bits
    if total == 0:
        sys.exit(f"{path}: no BF16 tensor of at least 1,000 elements")
    print(f"{path}: {total:,} bf16 elements")
    print("| plane and context | bits per element |")
    print("|---|---:|")
    for key, bits in rows.items():
        print(f"| {key} | {bits / total:.4f} |")
    today = (rows["exponent, order 0 (l2c today)"] + rows["sign + mantissa, order 0 (l2c today)"]) / total
    best = (rows["exponent given the mean of the 128 exponents before"] + rows["sign + mantissa given the exponent"]) / total
    print(f"| both planes, order 0 (l2c today) | {today:.4f} ({today / 16:.2%}) |")
    print(f"| both planes, best contexts above | {best:.4f} ({best / 16:.2%}) |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
