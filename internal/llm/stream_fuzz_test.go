package llm

import (
	"errors"
	"strings"
	"testing"
)

// FuzzReadOllamaStream checks that any input ends in a result or a
// classified error, never a panic, and that the emitted text is a
// substring-sized function of the input.
func FuzzReadOllamaStream(f *testing.F) {
	f.Add("{\"message\":{\"content\":\"a\"},\"done\":false}\n{\"done\":true}\n")
	f.Add("{\"error\":\"x\"}\n")
	f.Add("\n\n{bad")
	f.Add("{\"message\":{\"content\":\"\\u65e5\"},\"done\":true}")
	f.Fuzz(func(t *testing.T, s string) {
		var got strings.Builder
		_, err := readOllamaStream(strings.NewReader(s), func(d string) error {
			if d == "" {
				t.Fatal("empty delta emitted")
			}
			got.WriteString(d)
			return nil
		})
		if err != nil && !errors.Is(err, ErrBadResponse) && !errors.Is(err, ErrUpstream) {
			t.Fatalf("unclassified error %v", err)
		}
		if got.Len() > len(s)*3 {
			t.Fatalf("emitted %d bytes from %d", got.Len(), len(s))
		}
	})
}

// FuzzReadOpenAIStream does the same for the SSE chat stream, and checks
// that a well-formed stream built from the input round-trips.
func FuzzReadOpenAIStream(f *testing.F) {
	f.Add("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n", "hi")
	f.Add("event: error\ndata: oops\n\n", "")
	f.Add("data: {\"error\":{\"message\":\"x\"}}\n\n", "日本語")
	f.Fuzz(func(t *testing.T, s, delta string) {
		_, err := readOpenAIStream(strings.NewReader(s), func(string) error { return nil })
		if err != nil && !errors.Is(err, ErrBadResponse) && !errors.Is(err, ErrUpstream) {
			t.Fatalf("unclassified error %v", err)
		}
		if delta == "" || !isValidUTF8(delta) {
			return
		}
		stream := wires[0].delta(delta) + wires[0].done
		var got strings.Builder
		if _, err := readOpenAIStream(strings.NewReader(stream), func(d string) error { got.WriteString(d); return nil }); err != nil {
			t.Fatalf("well-formed stream: %v", err)
		}
		if got.String() != delta {
			t.Fatalf("got %q, want %q", got.String(), delta)
		}
	})
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
