#!/usr/bin/env python3
"""Write LangChain FAISS folders (index.faiss + index.pkl) for the Go readers' tests.

Needs numpy and faiss (Debian: python3-faiss, run with /usr/bin/python3).
LangChain itself is not needed: stand-in classes with LangChain's module
paths, qualified names and pickled state reproduce what FAISS.save_local
writes (pickle protocol 4 of (InMemoryDocstore, {row: docstore_id})).

Usage: faiss_fixtures.py --out DIR

For each case DIR/<case>/ gets index.faiss, index.pkl and expected.json with
the queries, FAISS's own search results (labels, raw distances) and the
LangChain relevance scores for them. Everything is deterministic.
"""

import argparse
import json
import math
import os
import pickle
import sys
import types

import faiss
import numpy as np

DIM = 8
COUNT = 24
K = 5


def _module(name):
    """Create (or fetch) a fake module so pickle can find classes by path."""
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        sub = ".".join(parts[:i])
        if sub not in sys.modules:
            sys.modules[sub] = types.ModuleType(sub)
    return sys.modules[name]


def _register(cls, module, qualname):
    cls.__module__ = module
    cls.__qualname__ = qualname
    cls.__name__ = qualname
    setattr(_module(module), qualname, cls)
    return cls


class InMemoryDocstore:
    """Stand-in for langchain_community.docstore.in_memory.InMemoryDocstore.

    A plain class: pickle writes NEWOBJ then BUILD {'_dict': {...}}.
    """

    def __init__(self, d):
        self._dict = d


class InMemoryDocstoreOld(InMemoryDocstore):
    """Stand-in for langchain.docstore.in_memory.InMemoryDocstore."""


class DocumentV2:
    """Stand-in for a pydantic v2 langchain_core.documents.base.Document."""

    def __init__(self, doc_id, text, metadata):
        self.__dict__.update({"id": doc_id, "metadata": metadata,
                              "page_content": text, "type": "Document"})

    def __getstate__(self):
        # pydantic.BaseModel.__getstate__ (v2)
        return {
            "__dict__": dict(self.__dict__),
            "__pydantic_extra__": None,
            "__pydantic_fields_set__": {"id", "metadata", "page_content"},
            "__pydantic_private__": None,
        }

    def __setstate__(self, state):
        self.__dict__.update(state["__dict__"])


class DocumentV1:
    """Stand-in for a pydantic v1 langchain.schema.document.Document."""

    def __init__(self, doc_id, text, metadata):
        del doc_id  # v1 Documents had no id field
        self.__dict__.update({"page_content": text, "metadata": metadata})

    def __getstate__(self):
        # pydantic.v1.BaseModel.__getstate__
        return {
            "__dict__": dict(self.__dict__),
            "__fields_set__": {"page_content", "metadata"},
            "__private_attribute_values__": {},
        }

    def __setstate__(self, state):
        self.__dict__.update(state["__dict__"])


class DocumentV1Core(DocumentV1):
    """langchain_core with pydantic v1 (langchain 0.1.x): new path, old state."""


_register(InMemoryDocstore, "langchain_community.docstore.in_memory", "InMemoryDocstore")
_register(InMemoryDocstoreOld, "langchain.docstore.in_memory", "InMemoryDocstore")
_register(DocumentV2, "langchain_core.documents.base", "Document")
_register(DocumentV1, "langchain.schema.document", "Document")
# DocumentV1Core shares the class path of DocumentV2; it is registered on
# demand while its case is written (see write_case).

TEXTS = [
    "経費精算は毎月25日までに申請してください。",
    "The VPN must be used when working from outside the office.",
    "有給休暇の申請は上長の承認が必要です。",
    "Passwords are rotated every 90 days.",
    "会議室の予約はポータルから行います。",
    "Backups run nightly at 02:00 JST.",
]


def metadata_for(i):
    md = {"source": "docs/handbook-%02d.pdf" % (i % 4), "page": i}
    if i % 3 == 0:
        md["tags"] = ["人事", "policy"]
    if i % 4 == 1:
        md["nested"] = {"section": "第%d章" % i, "scores": [1, 2.5, None, True],
                        "ok": False}
    if i % 5 == 2:
        md["big"] = 2 ** 70  # pickled as LONG1
    return md


def text_for(i):
    return "%s (%d)" % (TEXTS[i % len(TEXTS)], i)


def vectors(seed, normalise):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((COUNT, DIM)).astype("float32")
    if normalise:
        faiss.normalize_L2(x)
    return x


def queries(seed, normalise):
    rng = np.random.default_rng(seed + 1000)
    q = rng.standard_normal((3, DIM)).astype("float32")
    if normalise:
        faiss.normalize_L2(q)
    return q


def euclidean_relevance(d):
    return 1.0 - d / math.sqrt(2)


def max_inner_product_relevance(d):
    if d > 0:
        return 1.0 - d
    return -1.0 * d


def write_case(out, name, index_kind, doc_cls, store_cls, seed, normalise):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    x = vectors(seed, normalise)
    if index_kind == "IxF2":
        index = faiss.IndexFlatL2(DIM)
        relevance = euclidean_relevance
    elif index_kind == "IxFI":
        index = faiss.IndexFlatIP(DIM)
        relevance = max_inner_product_relevance
    elif index_kind == "IHNf":
        index = faiss.IndexHNSWFlat(DIM, 4)
        index.hnsw.efConstruction = 40
        index.hnsw.efSearch = 64
        relevance = euclidean_relevance
    else:
        raise ValueError(index_kind)
    faiss.omp_set_num_threads(1)
    index.add(x)
    faiss.write_index(index, os.path.join(folder, "index.faiss"))

    ids = ["%08x-0000-4000-8000-%012x" % (seed, i) for i in range(COUNT)]
    docs = {ids[i]: doc_cls(ids[i], text_for(i), metadata_for(i)) for i in range(COUNT)}
    mapping = {i: ids[i] for i in range(COUNT)}
    if doc_cls is DocumentV1Core:
        _register(DocumentV1Core, "langchain_core.documents.base", "Document")
    try:
        with open(os.path.join(folder, "index.pkl"), "wb") as f:
            pickle.dump((store_cls(docs), mapping), f, protocol=4)
    finally:
        if doc_cls is DocumentV1Core:
            _register(DocumentV2, "langchain_core.documents.base", "Document")

    q = queries(seed, normalise)
    dist, lab = index.search(q, K)
    expected = {
        "fourcc": index_kind,
        "dims": DIM,
        "count": COUNT,
        "metric": "ip" if index_kind == "IxFI" else "l2",
        "k": K,
        "queries": q.tolist(),
        "labels": lab.tolist(),
        "distances": dist.tolist(),
        "relevance": [[relevance(float(d)) for d in row] for row in dist],
        "ids": ids,
        "texts": [text_for(i) for i in range(COUNT)],
        "metadata": [metadata_for(i) for i in range(COUNT)],
        "first_vector": x[0].tolist(),
        "last_vector": x[-1].tolist(),
        "faiss_version": faiss.__version__,
    }
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        # 2**70 does not fit JSON numbers readers parse as float64 exactly; keep as text.
        json.dump(expected, f, ensure_ascii=False, indent=1, default=str)
        f.write("\n")


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Sets pickle in hash order: pin the seed so the output is stable.
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    args = p.parse_args()
    write_case(args.out, "flat_l2_pydantic_v2", "IxF2", DocumentV2, InMemoryDocstore, 1, False)
    write_case(args.out, "flat_ip_pydantic_v1", "IxFI", DocumentV1, InMemoryDocstoreOld, 2, True)
    write_case(args.out, "hnsw_flat_pydantic_v2", "IHNf", DocumentV2, InMemoryDocstore, 3, False)
    write_case(args.out, "flat_l2_core_pydantic_v1", "IxF2", DocumentV1Core, InMemoryDocstore, 4, True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
