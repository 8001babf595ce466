// Package evaluate measures retrieval quality on labelled questions: it
// reads a question file, runs every question through a rag.Service in each
// retrieval mode (rag.Evaluate), and groups the metrics per language. It is
// what "vectorstore eval" runs; the metrics themselves (hit@1, hit@5,
// MRR@5) and what counts as a relevant hit are defined in package rag
// (rag.EvalQuestion): with "sections" labels a hit must be one of the
// labelled sections (its url, source#anchor, exactly), else the labelled
// document. Flags is the command's option set
// (cliflag.Options); its Run reads the questions, opens the store through
// the caller's Opener (which picks the embedder) and fills the report.
//
// # Concurrency
//
// Run searches one question at a time; the Service it is given may serve
// other callers meanwhile.
package evaluate
