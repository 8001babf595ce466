#!/usr/bin/env python3
"""LangChain FAISS folders for `make bench-startup`, and Python's read time.

Needs numpy and faiss (Debian: python3-faiss; run with /usr/bin/python3).
LangChain itself is not needed: faiss_fixtures.py's stand-in classes carry
LangChain's module paths, so the pickle is what FAISS.save_local writes
(pickle of (InMemoryDocstore, {row: docstore_id}), pydantic v2 Documents).

Usage:
  bench_startup_lc.py write --native DIR --out DIR
      Writes OUT/index.faiss (IndexFlatL2 over DIR/vectors.f32) and
      OUT/index.pkl (DIR/chunks.jsonl's texts and metadata, uuid ids).
  bench_startup_lc.py read --dir DIR [--repeat 3]
      Times faiss.read_index + pickle.load of DIR's two files (the read
      LangChain's FAISS.load_local does) and prints JSON: the fastest of
      --repeat runs in seconds, and the peak RSS of this process.
"""

import argparse
import json
import os
import pickle
import resource
import sys
import time
import uuid

import faiss
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faiss_fixtures as fx  # noqa: E402  (registers the stand-in classes)


def write(native, out):
    with open(os.path.join(native, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    dims, count = manifest["embedding"]["dims"], manifest["count"]
    vecs = np.fromfile(os.path.join(native, "vectors.f32"), dtype="<f4").reshape(count, dims)
    index = faiss.IndexFlatL2(dims)
    index.add(vecs)
    os.makedirs(out, exist_ok=True)
    faiss.write_index(index, os.path.join(out, "index.faiss"))
    docs, mapping = {}, {}
    with open(os.path.join(native, "chunks.jsonl"), encoding="utf-8") as f:
        for row, line in enumerate(f):
            c = json.loads(line)
            doc_id = str(uuid.UUID(int=row + 1))
            docs[doc_id] = fx.DocumentV2(doc_id, c["text"], c.get("metadata", {}))
            mapping[row] = doc_id
    with open(os.path.join(out, "index.pkl"), "wb") as f:
        pickle.dump((fx.InMemoryDocstore(docs), mapping), f, protocol=4)


def read(folder, repeat):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        index = faiss.read_index(os.path.join(folder, "index.faiss"))
        with open(os.path.join(folder, "index.pkl"), "rb") as f:
            docstore, mapping = pickle.load(f)
        took = time.perf_counter() - start
        assert index.ntotal == len(mapping)
        best = took if best is None else min(best, took)
        del index, docstore, mapping
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": best, "repeat": repeat, "max_rss_bytes": rss}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("--native", required=True)
    w.add_argument("--out", required=True)
    r = sub.add_parser("read")
    r.add_argument("--dir", required=True)
    r.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.cmd == "write":
        write(args.native, args.out)
    else:
        read(args.dir, args.repeat)


if __name__ == "__main__":
    main()
