// Package sseclient implements a reader for Server-Sent Events streams
// (text/event-stream) as the WHATWG HTML standard defines them: LF, CR or
// CRLF line ends, an optional leading BOM, "data" lines joined with "\n",
// "event" and "id" fields, comment lines starting with ":" ignored, and an
// event dispatched at each blank line when it has data.
//
// It is used by the OpenAI-compatible chat client to read streamed deltas.
// Lines, and the data of one event, are capped in length so that a
// hostile or broken upstream cannot exhaust memory.
//
// # Concurrency and ownership
//
// A Reader is not safe for concurrent use; one goroutine reads one stream.
// The Reader does not close the underlying io.Reader. Returned Events own
// their strings.
package sseclient
