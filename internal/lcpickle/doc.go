// Package lcpickle implements a reader for the index.pkl file of a
// LangChain FAISS folder: a pickle of (InMemoryDocstore, {row: docstore_id})
// whose Documents carry page_content and metadata.
//
// # What is read
//
// Pickles of protocol 0 to 5 are decoded with github.com/nlpodyssey/gopickle
// (protocol 0's text, in raw-unicode-escape, is decoded before: scan).
// Only an allow-list of classes can be named by the pickle: LangChain's
// InMemoryDocstore (langchain_community.docstore.in_memory and the older
// langchain.docstore.in_memory) and Document (langchain_core.documents.base,
// langchain_core.documents, langchain.schema, langchain.schema.document,
// langchain.docstore.document). Their stand-ins here only collect the state
// that BUILD hands them; nothing from the pickle is ever executed. Any other
// class is an error wrapping ErrClass. Document state is keyed on
// "__dict__", which covers pydantic v1 and v2 pickles alike.
//
// Protocols 2 and 3 name sets, frozensets and (protocol 2) bytes through
// GLOBAL: builtins.set / __builtin__.set, frozenset, bytes() and
// _codecs.encode(text, "latin1") are computed in Go, as are
// copyreg._reconstructor and object for protocol 0 and 1 objects.
//
// # Metadata values
//
// Besides JSON's own types (see converter.value), metadata may hold values
// LangChain loaders put there. Each is rebuilt from its pickled state by a
// Go stand-in and becomes a JSON value:
//
//   - numpy scalars (numpy.core.multiarray.scalar, or numpy._core of
//     numpy 2) of bool, int8..int64, uint8..uint64, float16/32/64, str_
//     and bytes_: numbers, booleans, strings, as .item() gives them.
//   - numpy arrays (_reconstruct then BUILD, or protocol 5's _frombuffer)
//     of those dtypes, any order and up to maxArrayElements elements:
//     nested lists, as .tolist(). Object, complex, datetime64 and
//     structured dtypes are refused.
//   - datetime.datetime, date and time: isoformat() strings, which for an
//     aware datetime is RFC 3339 ("2024-01-02T03:04:05.006000+09:00");
//     a naive one keeps no offset rather than invent UTC. Only
//     datetime.timezone offsets are read (zoneinfo and pytz are refused).
//     A timedelta is its total seconds.
//   - pathlib paths (PosixPath, PurePosixPath, WindowsPath,
//     PureWindowsPath): str(path).
//   - decimal.Decimal: a number when the float64 nearest to it prints back
//     as the same value, an integer's digits (json.Number) when it has
//     more than float64 keeps, else its str() ("0.1000000000000000000001",
//     "NaN"): never a silently rounded number.
//   - uuid.UUID: the canonical 8-4-4-4-12 string.
//   - Enum members (a str Enum such as LangChain's Language): the value
//     when pickled as Cls(value), the member name when pickled as
//     getattr(Cls, "NAME") (Python 3.11 does, and the value is not in the
//     file). As Enum classes live in any module, a class outside the
//     lists above is taken as one only if its name is CapWords and its
//     module lies outside the Python standard library (stdlibModules) and
//     numpy; even then it is never called: Cls(x) with one str or int x
//     yields x, and anything else (NEWOBJ, other arguments) is ErrClass.
//
// Strings are repaired as Python wrote them ("surrogatepass"): a
// surrogate pair becomes its code point and each lone surrogate one
// U+FFFD.
//
// # Safety
//
// Before decoding, a scan of the opcode stream checks every length prefix
// against the bytes that remain, rejects unknown opcodes, persistent ids
// and extension codes, bounds MARK nesting and refuses GLOBAL and INST
// names outside the allow-list, so corrupt input cannot force a huge
// allocation; what the scan does not cover is caught by a
// recover around the decoder. Errors wrap ErrFormat and give the byte
// offset where one applies. Shared or cyclic containers are handled:
// a container referenced twice becomes one shared Go value, a cycle is an
// error. Converted metadata, numpy elements included, counts toward one
// expansion budget per docstore.
//
// # Budget, time and cancellation
//
// DecodeContext bounds a decode by Options.MaxBytes (DefaultMaxBytes, 1
// GiB, for Decode): the file, every value the decoder builds or touches,
// each document's page_content times Options.TextCost and the metadata as
// JSON all count, and ErrBudget reports a docstore past it. The scan
// replays the decoder's stack on sizes alone (sim.go) before the decoder
// runs. It charges each value, container and memo entry what gopickle's
// Go representation of it was measured to hold (32 to 300 bytes, 64 a
// memo entry), so a flood of one-byte opcodes (MEMOIZE, EMPTY_LIST)
// costs what it would allocate, and refuses a memo of more than one entry
// per 2 bytes of file. A value referenced many times through the memo is
// paid for at every reference, as is every operation that walks a value
// (a set member hashed, BUILD's state or a set() argument iterated): the
// decode's time and memory are linear in the file plus the budget.
// Integers are at most maxIntBytes (64) bytes or
// maxIntDigits (160) digits, as gopickle decodes bigger ones in quadratic
// time; a class name given to STACK_GLOBAL at most 512 bytes; one
// document's metadata at most MaxMetadataBytes (1 MiB) of JSON. The
// context is checked every 1024 opcodes, reads and converted values.
//
// # Concurrency and ownership
//
// Decode and ReadFile are safe for concurrent use. The returned Docstore is
// the caller's; metadata maps may be shared between documents when the
// pickle shared them, so treat them as read-only.
package lcpickle
