// Package cliflag holds what every operator command shares, so that the
// commands under cmd/ only wire: the UsageError that maps to exit code 2,
// a flag set that returns its errors, the Options contract (a package
// registers its own flags and validates them), parsing of a positional
// folder and of integer lists, writing a result as text or JSON, and the
// subcommand dispatcher Run with its exit-code rules.
//
// # Options
//
// A package whose operation a command runs owns the command's options:
// a struct with RegisterFlags (names, defaults, help) and Validate
// (returning a UsageError). ParseOptions registers, parses and validates
// one or more of them (a command's own options and, say, the embedder's).
// Options that take positional arguments implement Positional.
//
// # Concurrency
//
// Nothing here keeps state; a flag set belongs to one goroutine.
package cliflag
