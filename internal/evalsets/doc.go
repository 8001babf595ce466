// Package evalsets holds labelled questions for measuring retrieval on
// public documents that nobody on this project wrote, so that a change to
// chunking, ranking or fusion is judged on material it was not tuned to.
//
// Each set is a folder with questions.json, in the format `vectorstore
// eval --questions` reads ([rag.EvalQuestion]) plus a "sections" list;
// README.md lists the sets, their corpora and how each was written (most
// blind, measured once on settled code before any use).
//
// "documents" names the corpus-relative file that answers a question;
// "sections", which eval scores by when present (a hit is a chunk whose
// url, source#anchor, is one of them exactly), names the answering
// section as "file#id", where id is an HTML id in that file, with every
// section that answers equally well listed. The corpora themselves are not
// in the repository: scripts/eval_corpora.sh installs the Debian packages
// and lays them out under the user cache directory. README.md gives their
// provenance, licences and how the questions were written.
//
// The package has no code, only tests: that each set is well formed and,
// when the corpora are present, that every label points at a file and an
// id that exist.
package evalsets
