package sseclient

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func readAll(t testing.TB, s string, maxLine int) ([]Event, error) {
	t.Helper()
	r := NewReader(strings.NewReader(s), maxLine)
	var evs []Event
	for {
		ev, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return evs, nil
			}
			return evs, err
		}
		evs = append(evs, ev)
	}
}

func TestReader_Next(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Event
	}{
		{"openai style", "data: {\"a\":1}\n\ndata: [DONE]\n\n",
			[]Event{{Type: "message", Data: `{"a":1}`}, {Type: "message", Data: "[DONE]"}}},
		{"crlf and cr", "data: x\r\n\r\ndata: y\r\rdata:z\r\n\r\n",
			[]Event{{Type: "message", Data: "x"}, {Type: "message", Data: "y"}, {Type: "message", Data: "z"}}},
		{"multi-line data and event type", "event: error\ndata: a\ndata:  b\n\n",
			[]Event{{Type: "error", Data: "a\n b"}}},
		{"comments and unknown fields", ": keep-alive\nretry: 10\nfoo: bar\ndata: v\n\n",
			[]Event{{Type: "message", Data: "v"}}},
		{"id persists", "id: 7\ndata: a\n\ndata: b\n\n",
			[]Event{{Type: "message", Data: "a", ID: "7"}, {Type: "message", Data: "b", ID: "7"}}},
		{"bom", "\uFEFFdata: a\n\n", []Event{{Type: "message", Data: "a"}}},
		{"no data no dispatch", "event: ping\n\ndata: a\n\n", []Event{{Type: "message", Data: "a"}}},
		{"unterminated last event dropped", "data: a\n\ndata: b", []Event{{Type: "message", Data: "a"}}},
		{"field without colon", "data\n\n", []Event{{Type: "message", Data: ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := readAll(t, tc.in, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestReader_TooLong(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		wantErr  bool
	}{
		{"one long line", "data: " + strings.Repeat("x", 100) + "\n\n", true},
		// Short lines that never meet a blank line: the event itself is capped.
		{"data lines without end", strings.Repeat("data: "+strings.Repeat("x", 30)+"\n", 100), true},
		{"many short events", strings.Repeat("data: "+strings.Repeat("x", 30)+"\n\n", 100), false},
		{"comments without end", strings.Repeat(": "+strings.Repeat("x", 30)+"\n", 100), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := readAll(t, tc.in, 50)
			if got := errors.Is(err, ErrLineTooLong); got != tc.wantErr {
				t.Fatalf("err = %v, want ErrLineTooLong: %v", err, tc.wantErr)
			}
		})
	}
}

// FuzzReader checks that arbitrary input never panics, always ends, never
// yields more data than it was given, and never an event past the cap.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"data: a\n\n", "data: x\r\rdata", ":\n\n", "\uFEFFevent: e\ndata: 1\ndata: 2\n\n", "id: \x00\ndata: q\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		evs, err := readAll(t, s, 64)
		if err != nil && !errors.Is(err, ErrLineTooLong) {
			t.Fatalf("unexpected error %v", err)
		}
		total := 0
		for _, e := range evs {
			total += len(e.Data)
			if len(e.Data) >= 64 {
				t.Fatalf("event of %d data bytes past the cap of 64", len(e.Data))
			}
			if strings.ContainsAny(e.Type, "\r\n") || strings.ContainsAny(e.ID, "\r\n\x00") {
				t.Fatalf("bad event %+v", e)
			}
		}
		if total > len(s) {
			t.Fatalf("%d data bytes from %d input bytes", total, len(s))
		}
	})
}

// FuzzReader_RoundTrip encodes payloads as events and checks they decode
// unchanged, whatever line ending the encoder used.
func FuzzReader_RoundTrip(f *testing.F) {
	f.Add("hello", "world", uint8(0))
	f.Add("a\nb", "", uint8(1))
	f.Add(`{"choices":[{"delta":{"content":"日本"}}]}`, "[DONE]", uint8(2))
	f.Fuzz(func(t *testing.T, a, b string, nl uint8) {
		if strings.ContainsRune(a+b, '\r') {
			t.Skip()
		}
		eol := []string{"\n", "\r\n", "\r"}[nl%3]
		var sb strings.Builder
		for _, p := range []string{a, b} {
			for _, line := range strings.Split(p, "\n") {
				sb.WriteString("data: " + line + eol)
			}
			sb.WriteString(eol)
		}
		evs, err := readAll(t, sb.String(), 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []Event{{Type: "message", Data: a}, {Type: "message", Data: b}}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("got %+v, want %+v", evs, want)
		}
	})
}
