#!/usr/bin/python3
"""Benchmark hnswlib on texmex files, printing the rows `vectorstore bench` prints.

Usage: /usr/bin/python3 scripts/bench_hnswlib.py --base B.fvecs --queries Q.fvecs
       [--truth T.ivecs] [--k 10] [--metric cosine] [--m 16] [--ef-construction 200]
       [--ef 10,20,50,100,200] [--threads 1] [--build-threads N] [--repeat 3] [--json]

Needs Debian's python3-hnswlib and python3-numpy (use /usr/bin/python3).
Build CPU time is process CPU time (time.process_time) around add_items.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import hnswlib


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    if raw.size == 0:
        return np.zeros((0, 0), dtype=dtype)
    dim = int(raw[0])
    if dim <= 0 or raw.size % (dim + 1) != 0:
        sys.exit(f"{path}: not a texmex file (dimension {dim}, {raw.size} words)")
    rows = raw.reshape(-1, dim + 1)
    if not (rows[:, 0] == dim).all():
        sys.exit(f"{path}: vectors of differing dimension")
    return np.ascontiguousarray(rows[:, 1:]).view(dtype)


def exact_truth(base, queries, k, metric):
    out = np.empty((len(queries), k), dtype=np.int64)
    if metric == "cosine":
        b = base / np.maximum(np.linalg.norm(base, axis=1, keepdims=True), 1e-30)
    else:
        b = base
    for s in range(0, len(queries), 100):
        q = queries[s:s + 100]
        if metric == "cosine":
            q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-30)
            d = -q @ b.T
        elif metric == "ip":
            d = -q @ b.T
        else:
            d = (q * q).sum(1)[:, None] - 2 * q @ b.T + (b * b).sum(1)[None, :]
        part = np.argpartition(d, k, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d, part, axis=1), axis=1)
        out[s:s + 100] = np.take_along_axis(part, order, axis=1)
    return out


def best_qps(index, queries, k, threads, repeat):
    """Best queries per wall-clock second and per process CPU second."""
    wall = cpu = 0.0
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        index.knn_query(queries, k=k, num_threads=threads)
        wall = max(wall, len(queries) / (time.perf_counter() - t))
        dc = time.process_time() - c
        if dc > 0:
            cpu = max(cpu, len(queries) / dc)
    return wall, cpu


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--truth", default="")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--metric", default="cosine", choices=["cosine", "ip", "l2"])
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=200)
    p.add_argument("--ef", default="10,20,50,100,200")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--build-threads", type=int, default=0)
    p.add_argument("--seed", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    build_threads = a.build_threads or a.threads
    efs = [int(x) for x in a.ef.split(",")]

    base = read_vecs(a.base, np.float32)
    queries = read_vecs(a.queries, np.float32)
    n, dim = base.shape
    if queries.shape[1] != dim:
        sys.exit("base and query dimensions differ")
    if a.truth:
        truth = read_vecs(a.truth, np.int32)[:, :a.k]
        source = a.truth
    else:
        t = time.perf_counter()
        truth = exact_truth(base, queries, a.k, a.metric)
        source = "exact scan"
        print(f"exact truth in {time.perf_counter() - t:.1f}s", file=sys.stderr)

    index = hnswlib.Index(space=a.metric, dim=dim)
    index.init_index(max_elements=n, ef_construction=a.ef_construction, M=a.m, random_seed=a.seed)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    index.add_items(base, np.arange(n), num_threads=build_threads)
    build_wall, build_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(f"built {n} x {dim} in {build_wall:.1f}s wall, {build_cpu:.1f}s CPU", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="hnswlib-bench-") as d:
        path = os.path.join(d, "index.bin")
        t = time.perf_counter()
        index.save_index(path)
        with open(path, "rb+") as f:
            os.fsync(f.fileno())
        save_s = time.perf_counter() - t
        saved = os.path.getsize(path)
        t = time.perf_counter()
        loaded = hnswlib.Index(space=a.metric, dim=dim)
        loaded.load_index(path, max_elements=n)
        load_s = time.perf_counter() - t
    index = loaded

    rows = []
    for ef in efs:
        index.set_ef(ef)
        labels, _ = index.knn_query(queries, k=a.k, num_threads=1)
        hits = sum(len(set(labels[i].tolist()) & set(truth[i].tolist())) for i in range(len(queries)))
        qps1, qps1cpu = best_qps(index, queries, a.k, 1, a.repeat)
        row = {"ef": ef, "recall": hits / (len(queries) * a.k), "qps_1": qps1, "qps_1_cpu": qps1cpu}
        if a.threads > 1:
            row["qps_n"] = best_qps(index, queries, a.k, a.threads, a.repeat)[0]
        rows.append(row)

    rep = {
        "engine": "hnswlib " + getattr(hnswlib, "__version__", "(Debian python3-hnswlib)"),
        "n": n, "dim": dim, "queries": len(queries), "k": a.k, "metric": a.metric,
        "m": a.m, "ef_construction": a.ef_construction,
        "build_threads": build_threads, "search_threads": a.threads,
        "truth_source": source, "build_wall_s": build_wall, "build_cpu_s": build_cpu,
        # hnswlib keeps its index as one contiguous image; the saved file is
        # that image, so its size stands for the index bytes in memory.
        "index_bytes": saved, "vector_bytes": int(base.nbytes),
        "save_s": save_s, "load_s": load_s, "saved_bytes": saved, "rows": rows,
    }
    if a.json:
        print(json.dumps(rep, indent=2))
        return
    mb = 1e6
    print(f"engine {rep['engine']}: {n} x {dim} base, {len(queries)} queries, k {a.k}, metric {a.metric}, truth: {source}")
    print(f"build: M {a.m}, ef_construction {a.ef_construction}, {build_threads} threads: {build_wall:.2f}s wall, {build_cpu:.2f}s CPU")
    print(f"memory: index {saved / mb:.1f} MB ({saved / base.nbytes:.3f}x the {base.nbytes / mb:.1f} MB of raw vectors)")
    print(f"persist: save {save_s:.3f}s, load {load_s:.3f}s ({saved / mb:.1f} MB)")
    head = f"{'ef':>6}  {'recall@' + str(a.k):>9}  {'QPS 1 thread':>12}  {'QPS/CPU-second':>14}"
    if a.threads > 1:
        head += f"  {'QPS %d threads' % a.threads:>14}"
    print(head)
    for r in rows:
        line = f"{r['ef']:>6}  {r['recall']:>9.4f}  {r['qps_1']:>12.0f}  {r['qps_1_cpu']:>14.0f}"
        if a.threads > 1:
            line += f"  {r['qps_n']:>14.0f}"
        print(line)


if __name__ == "__main__":
    main()
