#!/usr/bin/env python3
"""Write LangChain FAISS folders (index.faiss + index.pkl) for the Go readers' tests.

Needs numpy and faiss (Debian: python3-faiss, run with /usr/bin/python3).
LangChain itself is not needed: stand-in classes with LangChain's module
paths, qualified names and pickled state reproduce what FAISS.save_local
writes (pickle protocol 4 of (InMemoryDocstore, {row: docstore_id})).

Usage: faiss_fixtures.py --out DIR [--pickle-out DIR] [--faiss-out DIR] [--mismatch-out DIR]

For each case DIR/<case>/ gets index.faiss, index.pkl and expected.json with
the queries, FAISS's own search results (labels, raw distances) and the
LangChain relevance scores for them. Everything is deterministic. One case
is saved as save_local(path, index_name="faiss_index") does:
faiss_index.faiss + faiss_index.pkl, and expected.json names the index_name.

--pickle-out writes index.pkl files only, for package lcpickle: protocols 2,
3 and 5 and metadata values LangChain loaders produce (numpy scalars and
arrays, datetime, pathlib, Decimal, UUID, str Enums) and lone surrogates.
--faiss-out writes index.faiss files only, for package faiss: IndexIDMap2 and
IndexIDMap over flat indexes with non-contiguous ids, and IndexIVFFlat (L2
and inner product), with FAISS's reconstructed vectors per id.
--mismatch-out writes LangChain folders whose two files disagree (a pickle
with rows the FAISS file lacks, FAISS rows without a mapping or a document,
documents no row points at), with the disagreement "vectorstore inspect"
should report in expected.json.
"""

import argparse
import datetime
import decimal
import enum
import json
import math
import os
import pathlib
import pickle
import sys
import types
import uuid

import faiss
import numpy as np

DIM = 8
COUNT = 24
K = 5
# Sparse FAISS ids for the id-map case: row i is labelled ID_STRIDE*i + ID_OFFSET.
ID_STRIDE, ID_OFFSET = 7, 1000


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


def write_case(out, name, index_kind, doc_cls, store_cls, seed, normalise, index_name="index"):
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
    elif index_kind == "IxM2":
        index = faiss.IndexIDMap2(faiss.IndexFlatL2(DIM))
        relevance = euclidean_relevance
    else:
        raise ValueError(index_kind)
    faiss.omp_set_num_threads(1)
    # An id map (what code calling add_with_ids saves) labels rows with
    # sparse FAISS ids, and LangChain's mapping is keyed by those labels.
    labels = list(range(COUNT))
    if index_kind == "IxM2":
        labels = [ID_STRIDE * i + ID_OFFSET for i in range(COUNT)]
        index.add_with_ids(x, np.array(labels, dtype="int64"))
    else:
        index.add(x)
    faiss.write_index(index, os.path.join(folder, index_name + ".faiss"))

    ids = ["%08x-0000-4000-8000-%012x" % (seed, i) for i in range(COUNT)]
    docs = {ids[i]: doc_cls(ids[i], text_for(i), metadata_for(i)) for i in range(COUNT)}
    mapping = {labels[i]: ids[i] for i in range(COUNT)}
    if doc_cls is DocumentV1Core:
        _register(DocumentV1Core, "langchain_core.documents.base", "Document")
    try:
        with open(os.path.join(folder, index_name + ".pkl"), "wb") as f:
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
    if index_kind == "IxM2":
        expected["faiss_labels"] = labels
    if index_name != "index":
        expected["index_name"] = index_name
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        # 2**70 does not fit JSON numbers readers parse as float64 exactly; keep as text.
        json.dump(expected, f, ensure_ascii=False, indent=1, default=str)
        f.write("\n")


# --- folders whose two files disagree ----------------------------------------


def row_check(labels, mapping, docs, examples=5):
    """What "vectorstore inspect" reports for these files (store.RowCheck)."""
    def kind():
        return {"count": 0, "examples": []}

    def add(k, example):
        k["count"] += 1
        if len(k["examples"]) < examples:
            k["examples"].append(example)

    out = {"faiss_rows": len(labels), "mapped_rows": len(mapping), "documents": len(docs),
           "pickle_rows_missing_from_faiss": kind(), "faiss_rows_without_mapping": kind(),
           "faiss_rows_without_document": kind(), "documents_without_row": kind()}
    reached = set()
    for label in sorted(labels):
        if label not in mapping:
            add(out["faiss_rows_without_mapping"], str(label))
        elif mapping[label] not in docs:
            add(out["faiss_rows_without_document"], "%d -> %s" % (label, mapping[label]))
        else:
            reached.add(mapping[label])
    for label in sorted(mapping):
        if label not in labels:
            add(out["pickle_rows_missing_from_faiss"], "%d -> %s" % (label, mapping[label]))
    for doc_id in sorted(docs):
        if doc_id not in reached:
            add(out["documents_without_row"], doc_id)
    for v in out.values():
        if isinstance(v, dict) and not v["examples"]:
            del v["examples"]
    return out


def write_mismatch_case(out, name, seed, rows, mapping_for, extra_docs=()):
    """A flat L2 index of `rows` vectors beside a pickle of COUNT documents
    whose mapping mapping_for(ids) returns."""
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    faiss.omp_set_num_threads(1)
    index = faiss.IndexFlatL2(DIM)
    index.add(vectors(seed, False)[:rows])
    faiss.write_index(index, os.path.join(folder, "index.faiss"))
    ids = ["%08x-0000-4000-8000-%012x" % (seed, i) for i in range(COUNT)] + list(extra_docs)
    docs = {d: DocumentV2(d, text_for(i), metadata_for(i)) for i, d in enumerate(ids)}
    mapping = mapping_for(ids)
    with open(os.path.join(folder, "index.pkl"), "wb") as f:
        pickle.dump((InMemoryDocstore(docs), mapping), f, protocol=4)
    expected = {"rows": row_check(set(range(rows)), mapping, docs)}
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def write_mismatch_cases(out):
    # The index was saved before the last documents were added (a crash
    # between the two files of save_local, or files from two runs).
    write_mismatch_case(out, "pickle_ahead", 21, COUNT - 4, lambda ids: {i: ids[i] for i in range(COUNT)})

    # Every kind at once: rows 20..23 unmapped, row 5 naming a missing
    # document, two mapped rows the index lacks, an orphan document.
    def mixed(ids):
        m = {i: ids[i] for i in range(20)}
        m[5] = "deadbeef-missing"
        m[30], m[31] = ids[20], "ghost-31"
        return m
    write_mismatch_case(out, "mixed", 22, COUNT, mixed, extra_docs=("orphan-a",))


# --- lcpickle cases: metadata types and older protocols ---------------------


class Language(str, enum.Enum):
    """Stand-in for langchain_text_splitters.base.Language, pickled by value
    (what Python 3.12+ and 3.10- write: Language('python'))."""

    PYTHON = "python"
    JS = "js"

    def __reduce_ex__(self, proto):
        return self.__class__, (self._value_,)


class ElementType(str, enum.Enum):
    """A str Enum pickled as Python 3.11 does: getattr(ElementType, 'TITLE').
    The value is not in the pickle, so readers get the member name."""

    TITLE = "Title"


_register(Language, "langchain_text_splitters.base", "Language")
_register(ElementType, "unstructured.documents.elements", "ElementType")


def rich_metadata(i):
    """Metadata values LangChain loaders produce, beyond JSON's own types."""
    tz9 = datetime.timezone(datetime.timedelta(hours=9))
    odd = datetime.timezone(datetime.timedelta(hours=-3, minutes=-30), "NST")
    md = {
        "source": pathlib.PurePosixPath("/data/docs/guide-%d.md" % i),
        "win": pathlib.PureWindowsPath("C:\\Users\\me\\doc%d.txt" % i),
        "page": np.int64(i),
        "i8": np.int8(-5), "i16": np.int16(-300), "i32": np.int32(70000),
        "u8": np.uint8(250), "u16": np.uint16(65000), "u32": np.uint32(4000000000),
        "u64": np.uint64(2 ** 64 - 1), "i64big": np.int64(-(2 ** 63)),
        "f16": np.float16(1.5), "f32": np.float32(0.1), "f64": np.float64(-2.25),
        "f64nan": np.float64("nan"), "flag": np.bool_(True), "npstr": np.str_("日本"),
        "vec": np.arange(4, dtype="<f4") / 4, "grid": np.arange(6, dtype=">i2").reshape(2, 3),
        "fgrid": np.asfortranarray(np.arange(6, dtype="<i4").reshape(3, 2)),
        "flags": np.array([True, False]), "empty": np.zeros((0,), dtype="<f8"),
        "created": datetime.datetime(2024, 1, 2, 3, 4, 5, 6000 + i, tzinfo=tz9),
        "utc": datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc),
        "naive": datetime.datetime(2023, 7, 8, 9, 10, 11),
        "odd_offset": datetime.datetime(2020, 2, 29, 12, 0, tzinfo=odd),
        "day": datetime.date(2024, 5, 6), "at": datetime.time(1, 2, 3, 400),
        "at_tz": datetime.time(23, 0, tzinfo=tz9),
        "price": decimal.Decimal("1.10"), "exact": decimal.Decimal("0.5"),
        "precise": decimal.Decimal("0.1000000000000000000001"),
        "bigdec": decimal.Decimal("123456789012345678901234567890"),
        "decnan": decimal.Decimal("NaN"),
        "uuid": uuid.UUID(int=(0x123456789ABCDEF << 64) + i),
        "language": Language.PYTHON, "element": ElementType.TITLE,
        "tags": {"a", "b"}, "frozen": frozenset({1}), "raw": b"\x00bytes",
        "when": [datetime.date(2000, 1, 1), datetime.datetime(2000, 1, 1, 0, 0, 0, 1)],
    }
    return md


def _isoformat(v):
    return v.isoformat()


def jsonable(v):
    """What lcpickle should return for v, as Python would write it."""
    if isinstance(v, enum.Enum):
        return v.name if isinstance(v, ElementType) else v.value
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()] if v.ndim else jsonable(v.item())
    if isinstance(v, np.generic):
        return jsonable(v.item())
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return _isoformat(v)
    if isinstance(v, pathlib.PurePath):
        return str(v)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, decimal.Decimal):
        if not v.is_finite():
            return str(v)
        f = float(v)
        if decimal.Decimal(repr(f)) == v:
            return f
        if v == v.to_integral_value():
            return int(v)
        return str(v)
    if isinstance(v, bytes):
        return v.decode("latin1")
    if isinstance(v, (set, frozenset)):
        return sorted(jsonable(x) for x in v)
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def replace_surrogates(s):
    """One U+FFFD per lone surrogate, a surrogate pair as its code point."""
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _numpy2_function(module, name):
    def stand_in(*args):
        raise AssertionError("never called: only pickled")
    stand_in.__module__, stand_in.__qualname__, stand_in.__name__ = module, name, name
    setattr(_module(module), name, stand_in)
    return stand_in


class Numpy2Pickler(pickle.Pickler):
    """Writes numpy values as numpy 2 does, under numpy._core (numpy 1.24
    is what Debian ships): scalar(dtype, raw) and _frombuffer(raw, dtype,
    shape, order)."""

    scalar = staticmethod(_numpy2_function("numpy._core.multiarray", "scalar"))
    frombuffer = staticmethod(_numpy2_function("numpy._core.numeric", "_frombuffer"))

    def reducer_override(self, obj):
        if isinstance(obj, np.generic):
            return self.scalar, (obj.dtype, obj.tobytes())
        if isinstance(obj, np.ndarray):
            order = "F" if obj.flags.f_contiguous and not obj.flags.c_contiguous else "C"
            return self.frombuffer, (obj.tobytes(order="A"), obj.dtype, obj.shape, order)
        return NotImplemented


def write_pickle_case(out, name, protocol, doc_cls, store_cls, rich, count=6, pickler=pickle.Pickler, escapes=False):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    ids = ["%08x-0000-4000-8000-%012x" % (protocol, i) for i in range(count)]
    texts = [text_for(i) for i in range(count)]
    texts[1] = "lone \ud800 high, lone \udc00 low, pair \ud83d\ude00 end"
    if escapes:
        # What protocol 0 escapes (backslash, NUL, CR, LF, ^Z), and
        # Latin-1 beside wider characters.
        texts[3] = "line 1\nline 2\r\n back\\slash \\u0041 nul\x00 sub\x1a café ß 日本 \U0001f600"
    mds = [rich_metadata(i) if rich else metadata_for(i) for i in range(count)]
    mds[0]["title_with_surrogate"] = "x\udfffy"
    docs = {ids[i]: doc_cls(ids[i], texts[i], mds[i]) for i in range(count)}
    mapping = {i: ids[i] for i in range(count)}
    with open(os.path.join(folder, "index.pkl"), "wb") as f:
        pickler(f, protocol=protocol).dump((store_cls(docs), mapping))
    expected = {
        "protocol": protocol,
        "count": count,
        "ids": ids,
        "texts": [replace_surrogates(t) for t in texts],
        "metadata": [{replace_surrogates(k): (replace_surrogates(v) if type(v) is str else jsonable(v))
                      for k, v in md.items()} for md in mds],
    }
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")


class _Reduce:
    """Pickles as func(*args) without calling anything."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


class Unknown:
    """A CapWords class outside the standard library, pickled by NEWOBJ."""


_register(Unknown, "acme.models", "Unknown")


def write_reject_cases(out):
    """Pickles a reader must refuse, each a docstore whose one Document
    carries the value in metadata["bad"]."""
    import subprocess
    import zoneinfo
    cases = {
        "popen": _Reduce(subprocess.Popen, ("echo hi",)),
        "os_system": _Reduce(os.system, ("echo hi",)),
        "zoneinfo": datetime.datetime(2024, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC")),
        "object_array": np.array([1, "x"], dtype=object),
        "complex": np.complex64(1 + 2j),
        "datetime64": np.datetime64("2024-01-01"),
        "structured": np.zeros(2, dtype=[("a", "<i4")]),
        "newobj_unknown": Unknown(),
        "enum_of_list": _Reduce(Language, (["python"],)),
        "getattr_class": _Reduce(getattr, (datetime.datetime, "now")),
    }
    os.makedirs(out, exist_ok=True)
    for name, value in cases.items():
        docs = {"a": DocumentV2("a", "text", {"bad": value})}
        with open(os.path.join(out, name + ".pkl"), "wb") as f:
            pickle.dump((InMemoryDocstore(docs), {0: "a"}), f, protocol=4)


def write_pickle_cases(out):
    write_reject_cases(os.path.join(out, "reject"))
    # Protocol 0 writes text in raw-unicode-escape.
    write_pickle_case(out, "proto0_pydantic_v1", 0, DocumentV1, InMemoryDocstoreOld, False, escapes=True)
    # Protocol 1 builds objects with copy_reg._reconstructor.
    write_pickle_case(out, "proto1_pydantic_v1", 1, DocumentV1, InMemoryDocstoreOld, False)
    write_pickle_case(out, "proto2_pydantic_v1", 2, DocumentV1, InMemoryDocstoreOld, False)
    write_pickle_case(out, "proto3_pydantic_v2", 3, DocumentV2, InMemoryDocstore, False)
    write_pickle_case(out, "proto2_types_pydantic_v2", 2, DocumentV2, InMemoryDocstore, True)
    write_pickle_case(out, "proto3_types_pydantic_v1", 3, DocumentV1, InMemoryDocstoreOld, True)
    write_pickle_case(out, "proto4_types_pydantic_v2", 4, DocumentV2, InMemoryDocstore, True)
    write_pickle_case(out, "proto5_types_pydantic_v2", 5, DocumentV2, InMemoryDocstore, True)
    write_pickle_case(out, "proto4_numpy2_pydantic_v2", 4, DocumentV2, InMemoryDocstore, True,
                      pickler=Numpy2Pickler)


# --- faiss cases: id maps and IVF-Flat ---------------------------------------


def write_faiss_case(out, name, kind, metric, seed, nlist=4, added=COUNT):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    faiss.omp_set_num_threads(1)
    ip = metric == "ip"
    x = vectors(seed, ip)
    flat = faiss.IndexFlatIP(DIM) if ip else faiss.IndexFlatL2(DIM)
    if kind in ("IxM2", "IxMp"):
        index = faiss.IndexIDMap2(flat) if kind == "IxM2" else faiss.IndexIDMap(flat)
        # Non-contiguous, unsorted ids, as a caller of add_with_ids picks them.
        ids = np.array([1000 + 7 * ((i * 5) % COUNT) for i in range(COUNT)], dtype="int64")
        index.add_with_ids(x, ids)
    elif kind == "IwFl":
        index = faiss.IndexIVFFlat(flat, DIM, nlist,
                                   faiss.METRIC_INNER_PRODUCT if ip else faiss.METRIC_L2)
        index.cp.seed = seed
        index.cp.min_points_per_centroid = 1
        index.train(x)
        index.nprobe = nlist  # exhaustive: search equals brute force
        if added == COUNT:
            ids = np.arange(COUNT, dtype="int64")
            index.add(x)
        else:
            # Few vectors in many lists: FAISS writes the "sprs" layout.
            x = x[:added]
            ids = np.array([50 - 3 * i for i in range(added)], dtype="int64")
            index.add_with_ids(x, ids)
            # A hash-table direct map is saved with the index: read past it.
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
    else:
        raise ValueError(kind)
    faiss.write_index(index, os.path.join(folder, "index.faiss"))
    if kind == "IwFl" and added == COUNT:
        index.make_direct_map()  # after writing: reconstruct needs it
    labels = sorted(int(i) for i in ids)
    if kind == "IxMp":
        by_id = {int(ids[r]): x[r] for r in range(len(ids))}
        recon = [by_id[l].tolist() for l in labels]
    else:
        recon = [index.reconstruct(l).tolist() for l in labels]
    q = queries(seed, ip)
    dist, lab = index.search(q, K)
    expected = {
        "fourcc": kind, "dims": DIM, "count": len(ids), "metric": metric, "k": K,
        "nlist": nlist if kind == "IwFl" else 0,
        "queries": q.tolist(), "labels": lab.tolist(), "distances": dist.tolist(),
        "faiss_ids": labels, "vectors": recon,
        "first_vector": recon[0], "last_vector": recon[-1],
        "faiss_version": faiss.__version__,
    }
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def write_faiss_cases(out):
    write_faiss_case(out, "idmap2_flat_l2", "IxM2", "l2", 11)
    write_faiss_case(out, "idmap2_flat_ip", "IxM2", "ip", 12)
    write_faiss_case(out, "idmap_flat_l2", "IxMp", "l2", 13)
    write_faiss_case(out, "ivfflat_l2", "IwFl", "l2", 14)
    write_faiss_case(out, "ivfflat_ip", "IwFl", "ip", 15)
    write_faiss_case(out, "ivfflat_sparse_l2", "IwFl", "l2", 16, nlist=16, added=5)


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Sets pickle in hash order: pin the seed so the output is stable.
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--pickle-out")
    p.add_argument("--faiss-out")
    p.add_argument("--mismatch-out")
    args = p.parse_args()
    if args.mismatch_out:
        write_mismatch_cases(args.mismatch_out)
    if args.pickle_out:
        write_pickle_cases(args.pickle_out)
    if args.faiss_out:
        write_faiss_cases(args.faiss_out)
    write_case(args.out, "flat_l2_pydantic_v2", "IxF2", DocumentV2, InMemoryDocstore, 1, False)
    write_case(args.out, "flat_ip_pydantic_v1", "IxFI", DocumentV1, InMemoryDocstoreOld, 2, True)
    write_case(args.out, "hnsw_flat_pydantic_v2", "IHNf", DocumentV2, InMemoryDocstore, 3, False)
    write_case(args.out, "flat_l2_core_pydantic_v1", "IxF2", DocumentV1Core, InMemoryDocstore, 4, True)
    write_case(args.out, "idmap2_flat_l2_pydantic_v2", "IxM2", DocumentV2, InMemoryDocstore, 5, False)
    write_case(args.out, "index_name_flat_l2_pydantic_v2", "IxF2", DocumentV2, InMemoryDocstore, 6, False,
               index_name="faiss_index")
    return 0


if __name__ == "__main__":
    sys.exit(main())
