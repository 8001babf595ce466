// Package pdfsandbox parses PDFs in a child process under OS limits, so
// that a file the PDF library loops on, or fills memory with, costs that
// file only: the parse ends in an error naming the limit, which the build
// reports by path and skips, as it does an unparsable file.
//
// The in-process parser (chunk.ParsePDF) caps what it can count: bytes
// read, operators, page-tree nodes, text. The library also loops without
// reading (an object stream with /N 9000000000000000000 spins at end of
// file), keeps every operand between two operators (64 MiB of "1 " took
// 8.9 GB) and decompresses one stream again for every reference to it
// (a 1 MB file took minutes); none of that is counted, and a Go program
// cannot stop a goroutine or survive running out of memory. A child
// process can be killed.
//
// # Parent and child
//
// Parser.Parse (a chunk.PDFParser) starts its own executable with the
// hidden subcommand Command and the limits as arguments, writes the PDF
// to its stdin and reads the Document back, gob-encoded, from its stdout.
// The program's main must hand Command to Serve before anything else;
// cmd/vectorstore does, and so does this package's TestMain.
//
// Serve, in the child, first sets RLIMIT_CPU (soft and hard equal: the
// kernel sends SIGKILL at the limit) and RLIMIT_DATA (the memory Go maps
// for use; unlike RLIMIT_AS it leaves out the address space Go reserves
// and never touches) and the Go runtime's soft memory limit, then reads
// and parses. The parent tells a child killed at its CPU limit (SIGKILL,
// CPU time at the limit) and one out of memory (the runtime's fatal
// "out of memory") from other crashes and returns ErrCPULimit or
// ErrMemoryLimit with the limit's value; it kills the child when ctx
// ends, or when its output outgrows Limits.Output, and on Linux the
// kernel kills it if the parent dies. Outside Linux the child runs under
// the soft memory limit and the context only.
//
// # Limits
//
// DefaultLimits scales with the file's size: 60 s of CPU plus 10 s for
// each MiB or part of one, 2 GiB of memory plus 64 bytes a byte (at most
// 6 GiB). Tests and callers may give smaller ones (Parser.Limits).
//
// # Concurrency
//
// A Parser holds no state; Parse may be called from several goroutines,
// each running its own child.
package pdfsandbox
