package embed

import "errors"

// Sentinel errors of the remote embedders; test with errors.Is.
var (
	// ErrUpstream marks a provider that answered with an error status or
	// could not be reached, after any retries.
	ErrUpstream = errors.New("embed: upstream error")
	// ErrBadResponse marks a 2xx answer that could not be used: a body
	// over the size cap, malformed JSON, a wrong number of vectors, wrong
	// dimensions, missing indexes, or a vector that cannot be normalised
	// (zero, NaN or infinite norm).
	ErrBadResponse = errors.New("embed: bad upstream response")
	// ErrConfig marks an invalid constructor config.
	ErrConfig = errors.New("embed: invalid config")
)
