// Package lcpickle implements a reader for the index.pkl file of a
// LangChain FAISS folder: a pickle of (InMemoryDocstore, {row: docstore_id})
// whose Documents carry page_content and metadata.
//
// # What is read
//
// Pickles of protocol 2 to 5 are decoded with github.com/nlpodyssey/gopickle.
// Only an allow-list of classes can be named by the pickle: LangChain's
// InMemoryDocstore (langchain_community.docstore.in_memory and the older
// langchain.docstore.in_memory) and Document (langchain_core.documents.base,
// langchain_core.documents, langchain.schema, langchain.schema.document,
// langchain.docstore.document). Their stand-ins here only collect the state
// that BUILD hands them; nothing from the pickle is ever executed. Any other
// class is an error wrapping ErrClass. Document state is keyed on
// "__dict__", which covers pydantic v1 and v2 pickles alike.
//
// # Safety
//
// Before decoding, a scan of the opcode stream checks every length prefix
// against the bytes that remain, rejects unknown opcodes, persistent ids
// and extension codes, and bounds MARK nesting, so corrupt input cannot
// force a huge allocation; what the scan does not cover is caught by a
// recover around the decoder. Errors wrap ErrFormat and give the byte
// offset where one applies. Shared or cyclic containers are handled:
// a container referenced twice becomes one shared Go value, a cycle is an
// error.
//
// # Concurrency and ownership
//
// Decode and ReadFile are safe for concurrent use. The returned Docstore is
// the caller's; metadata maps may be shared between documents when the
// pickle shared them, so treat them as read-only.
package lcpickle
