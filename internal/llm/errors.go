package llm

import "errors"

// Sentinel errors of the generators; test with errors.Is.
var (
	// ErrUpstream marks a provider that answered with an error status, sent
	// an error in the middle of a stream, or could not be reached, after
	// any retries.
	ErrUpstream = errors.New("llm: upstream error")
	// ErrBadResponse marks an answer that could not be used: malformed
	// JSON, a stream cut before its end marker, or no content.
	ErrBadResponse = errors.New("llm: bad upstream response")
	// ErrConfig marks an invalid constructor config.
	ErrConfig = errors.New("llm: invalid config")
)
