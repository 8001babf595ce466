package glove

import (
	"strings"
	"testing"
)

func TestSoftMatch(t *testing.T) {
	t.Parallel()
	e := newEncoder(t)
	tests := []struct {
		name, query          string
		better, worse        string // better must score above worse
		wantBetter, wantZero bool   // better scores 1 / worse scores 0
	}{
		{name: "a text with every query word scores 1", query: "remove the directory",
			better: "To remove a directory, call rmdir on the directory.", worse: "The football match tonight.", wantBetter: true},
		{name: "near synonyms beat unrelated words", query: "graph title above the drawing",
			better: "The label of the chart is placed at the top.", worse: "Bake the bread with flour and water."},
		{name: "rare words count more than common ones", query: "how do I encrypt my mail",
			better: "Encryption of mail between servers.", worse: "How do I do it, and how do my friends do it?"},
		{name: "a text of unknown words scores 0", query: "delete the folder",
			better: "remove a directory", worse: "qzxv wqpl", wantZero: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := e.SoftMatch(tt.query, []string{tt.better, tt.worse})
			if len(got) != 2 {
				t.Fatalf("SoftMatch returned %d scores, want 2", len(got))
			}
			if !(got[0] > got[1]) {
				t.Errorf("SoftMatch(%q) = %.3f for %q, %.3f for %q: want the first higher", tt.query, got[0], tt.better, got[1], tt.worse)
			}
			for i, s := range got {
				if s < 0 || s > 1+1e-6 {
					t.Errorf("score %d = %v, want within [0, 1]", i, s)
				}
			}
			if tt.wantBetter && got[0] < 1-1e-5 {
				t.Errorf("score of a text holding every query word = %v, want 1", got[0])
			}
			if tt.wantZero && got[1] != 0 {
				t.Errorf("score of a text of unknown words = %v, want 0", got[1])
			}
		})
	}
}

func TestSoftMatch_Edges(t *testing.T) {
	t.Parallel()
	e := newEncoder(t)
	if got := e.SoftMatch("qzxv wqpl", []string{"remove a directory"}); got[0] != 0 {
		t.Errorf("query of unknown words: %v, want 0", got[0])
	}
	if got := e.SoftMatch("", []string{"remove a directory", ""}); len(got) != 2 || got[0] != 0 || got[1] != 0 {
		t.Errorf("empty query: %v, want [0 0]", got)
	}
	if got := e.SoftMatch("directory", nil); len(got) != 0 {
		t.Errorf("no texts: %v", got)
	}
	// Past the bounds, the rest of a long query or text is not read: the
	// rarest query words and the first words of the text decide.
	long := strings.Repeat("banana ", MaxWords) + "directory"
	if got := e.SoftMatch("directory", []string{long}); got[0] >= 1 {
		t.Errorf("a word after the first MaxWords words was read: %v", got[0])
	}
	var many strings.Builder
	for range 2 * MaxSoftQueryWords {
		many.WriteString("the and of to in ")
	}
	many.WriteString("directory")
	if got := e.SoftMatch(many.String(), []string{"directory"}); got[0] < 0.5 {
		t.Errorf("the rarest query word was dropped among many common ones: %v", got[0])
	}
}

func BenchmarkSoftMatch_20Chunks(b *testing.B) {
	e, err := New()
	if err != nil {
		b.Fatal(err)
	}
	chunk := "The maximal_queue_lifetime parameter specifies the maximal time a message is queued before it is sent back as undeliverable. " +
		"Specify a non-zero time value (an integral value plus an optional one-letter suffix that specifies the time unit). " +
		"Time units: s (seconds), m (minutes), h (hours), d (days), w (weeks). The default time unit is d (days). " +
		"Specify 0 when mail delivery should be tried only once. This feature is available in Postfix 2.0 and later."
	texts := make([]string, 20)
	for i := range texts {
		texts[i] = chunk
	}
	query := "mail sits in the queue for days before it bounces back to the sender, how do I shorten that"
	b.ReportAllocs()
	for b.Loop() {
		e.SoftMatch(query, texts)
	}
}

// BenchmarkSoftMatch_Bounds is the most one search can ask: 200 candidates
// (top_k 50) of MaxSoftTextWords distinct known words each, and a query of
// MaxSoftQueryWords known words.
func BenchmarkSoftMatch_Bounds(b *testing.B) {
	e, err := New()
	if err != nil {
		b.Fatal(err)
	}
	words := func(from, n int) string {
		var sb strings.Builder
		for i := from; sb.Len() == 0 || n > 0; i++ {
			if _, ok := e.id(e.m.words[i]); ok && IsWordRune([]rune(e.m.words[i])[0]) {
				sb.WriteString(e.m.words[i])
				sb.WriteByte(' ')
				n--
			}
		}
		return sb.String()
	}
	query := words(5000, MaxSoftQueryWords)
	texts := make([]string, 200)
	for i := range texts {
		texts[i] = words(1000+i*MaxSoftTextWords, MaxSoftTextWords)
	}
	b.ReportAllocs()
	for b.Loop() {
		e.SoftMatch(query, texts)
	}
}
