package evaluate

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/ingest"
	"github.com/vendor0919/api/internal/localsearch"
	"github.com/vendor0919/api/internal/rag"
)

// service builds a store from a tiny two-language corpus and serves it.
func service(t *testing.T) *rag.Service {
	t.Helper()
	in := t.TempDir()
	for name, body := range map[string]string{
		"en/charging.md": "# Charging\nA full charge takes 4.5 hours with the 4 A charger.\n",
		"en/brakes.md":   "# Brakes\nReplace brake pads thinner than 1.5 mm. Bleed the brakes yearly.\n",
		"ja/store.md":    "# 店舗\n大阪本店の定休日は水曜日です。営業時間は10時から19時までです。\n",
	} {
		p := filepath.Join(in, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	emb, err := embed.NewHash(embed.HashConfig{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "store")
	if _, err := ingest.Build(context.Background(), in, out, emb, ingest.Config{Exact: true}); err != nil {
		t.Fatal(err)
	}
	svc, _, err := localsearch.Open(context.Background(), out, emb, rag.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestRun_ModesAndLanguages(t *testing.T) {
	t.Parallel()
	qs := []rag.EvalQuestion{
		{ID: "1", Lang: "en", Question: "how long does charging take", Documents: []string{"en/charging.md"}},
		{ID: "2", Lang: "en", Question: "brake pads replace", Documents: []string{"en/brakes.md"}},
		{ID: "3", Lang: "ja", Question: "大阪本店の定休日", Documents: []string{"ja/store.md"}},
	}
	rep, err := Run(context.Background(), service(t), qs)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 3 || rep.Questions != 3 {
		t.Fatalf("report %+v", rep)
	}
	for i, m := range rep.Results {
		if m.Mode != Modes[i] || m.Questions != 3 {
			t.Errorf("result %d: %+v", i, m)
		}
		if m.Mode == rag.ModeKeyword && (m.HitAt1 != 1 || m.MRR != 1) {
			t.Errorf("keyword metrics %+v: every question names its document's words, want hit@1 = MRR = 1", m)
		}
	}
	if len(rep.ByLang) != 6 || rep.ByLang[0].Lang != "en" || rep.ByLang[0].Questions != 2 || rep.ByLang[1].Lang != "ja" {
		t.Errorf("by_lang %+v, want 3 modes x (en: 2, ja: 1)", rep.ByLang)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "3 questions") || !strings.Contains(text.String(), "MRR@5") || strings.Count(text.String(), "\n") != 12 {
		t.Errorf("table:\n%s", text.String())
	}

	one, err := Run(context.Background(), service(t), qs[:2])
	if err != nil || len(one.ByLang) != 0 {
		t.Errorf("one language: by_lang %+v, %v; want none", one.ByLang, err)
	}
}

// TestRun_SectionLevel: questions with section labels are scored by the
// chunk's url (source#anchor), the others by its document.
func TestRun_SectionLevel(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	page := `<html><head><title>Bike</title></head><body>
<h1>Bike</h1>
<section id="charging"><h2>Charging</h2><p>A full charge takes 4.5 hours with the 4 A charger.</p></section>
<section id="brakes"><h2>Brakes</h2><p>Replace brake pads thinner than 1.5 mm.</p>
<section id="bleeding"><h3>Bleeding</h3><p>Bleed the hydraulic brakes yearly with mineral oil.</p></section></section>
</body></html>`
	if err := os.WriteFile(filepath.Join(in, "bike.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	emb, err := embed.NewHash(embed.HashConfig{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "store")
	if _, err := ingest.Build(context.Background(), in, out, emb, ingest.Config{Exact: true}); err != nil {
		t.Fatal(err)
	}
	svc, _, err := localsearch.Open(context.Background(), out, emb, rag.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		q         rag.EvalQuestion
		level     string
		wantHitAt bool // keyword hit@1
	}{
		{"right section", rag.EvalQuestion{Question: "hydraulic brakes mineral oil", Documents: []string{"bike.html"}, Sections: []string{"bike.html#bleeding"}}, "section", true},
		{"parent of the answering subsection", rag.EvalQuestion{Question: "hydraulic brakes mineral oil", Documents: []string{"bike.html"}, Sections: []string{"bike.html#brakes"}}, "section", false},
		{"other section", rag.EvalQuestion{Question: "hydraulic brakes mineral oil", Documents: []string{"bike.html"}, Sections: []string{"bike.html#charging"}}, "section", false},
		{"document only", rag.EvalQuestion{Question: "hydraulic mineral oil", Documents: []string{"bike.html"}}, "document", true},
		{"other document", rag.EvalQuestion{Question: "hydraulic mineral oil", Documents: []string{"car.html"}}, "document", false},
	}
	for _, tt := range tests {
		tt.q.ID = tt.name
		rep, err := Run(context.Background(), svc, []rag.EvalQuestion{tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Level != tt.level {
			t.Errorf("%s: level %q, want %q", tt.name, rep.Level, tt.level)
		}
		kw := rep.Results[1]
		if kw.Mode != rag.ModeKeyword || (kw.HitAt1 == 1) != tt.wantHitAt {
			t.Errorf("%s: keyword metrics %+v, want hit@1 %v", tt.name, kw, tt.wantHitAt)
		}
		if pq := rep.PerQuestion; len(pq) != 1 || pq[0].ID != tt.name || (pq[0].Ranks[rag.ModeKeyword] == 1) != tt.wantHitAt || len(pq[0].Ranks) != len(Modes) {
			t.Errorf("%s: per question %+v, want keyword rank 1 = %v", tt.name, pq, tt.wantHitAt)
		}
	}
	mixed, err := Run(context.Background(), svc, []rag.EvalQuestion{tests[0].q, tests[3].q})
	if err != nil || mixed.Level != "mixed" {
		t.Errorf("mixed labels: level %q, %v", mixed.Level, err)
	}
}

func TestReport_AtLeastBoth(t *testing.T) {
	t.Parallel()
	rep := Report{Results: []rag.EvalMetrics{
		{Mode: rag.ModeVector, HitAt1: 0.3, HitAt5: 0.5, MRR: 0.3},
		{Mode: rag.ModeKeyword, HitAt1: 0.2, HitAt5: 0.7, MRR: 0.5},
		{Mode: rag.ModeHybrid, HitAt5: 0.1, MRR: 0.1}, // not a bar for itself
	}}
	tests := []struct {
		hit1, hit5, mrr float64
		want            bool
	}{
		{0.3, 0.7, 0.5, true},
		{0.4, 0.8, 0.6, true},
		{0.3, 0.69, 0.6, false},
		{0.3, 0.8, 0.49, false},
		{0.29, 0.8, 0.6, false}, // below vector's hit@1
	}
	for _, tt := range tests {
		row := SweepRow{VectorWeight: 1, EvalMetrics: rag.EvalMetrics{Mode: rag.ModeHybrid, HitAt1: tt.hit1, HitAt5: tt.hit5, MRR: tt.mrr}}
		if got := rep.AtLeastBoth(row); got != tt.want {
			t.Errorf("hit@1 %v hit@5 %v MRR %v: %v, want %v", tt.hit1, tt.hit5, tt.mrr, got, tt.want)
		}
	}
	rep.Sweep = []SweepRow{{VectorWeight: 0.5, EvalMetrics: rag.EvalMetrics{Mode: rag.ModeHybrid, Questions: 3, HitAt1: 0.3, HitAt5: 0.8, MRR: 0.6}},
		{VectorWeight: 2, EvalMetrics: rag.EvalMetrics{Mode: rag.ModeHybrid, Questions: 3, HitAt5: 0.6, MRR: 0.6}}}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "0.5          3   0.300   0.800   0.600 *\n") || !strings.Contains(text.String(), "2            3   0.000   0.600   0.600\n") {
		t.Errorf("sweep table:\n%s", text.String())
	}
}

func TestReport_Misses(t *testing.T) {
	t.Parallel()
	rep := Report{PerQuestion: []QuestionRanks{
		{ID: "all-first", Question: "found", Ranks: map[rag.Mode]int{rag.ModeVector: 1, rag.ModeKeyword: 1, rag.ModeHybrid: 1}},
		{ID: "late", Question: "where are the brakes?", Ranks: map[rag.Mode]int{rag.ModeVector: 0, rag.ModeKeyword: 3, rag.ModeHybrid: 1}},
	}}
	var plain bytes.Buffer
	rep.WriteText(&plain)
	if strings.Contains(plain.String(), "late") {
		t.Errorf("misses listed without Flags.Misses:\n%s", plain.String())
	}
	rep.misses = true
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "vector -  keyword 3  hybrid 1  late: where are the brakes?\n") || strings.Contains(text.String(), "all-first") {
		t.Errorf("misses:\n%s", text.String())
	}
}

func TestReadQuestions_Errors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.json"), "no such file"},
		{write("bad.json", "{"), "parse"},
		{write("empty.json", "[]"), "has no questions"},
	} {
		if _, err := ReadQuestions(tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.path, err, tt.want)
		}
	}
	qs, err := ReadQuestions(write("ok.json", `[{"id":"1","question":"q","documents":["d"]}]`))
	if err != nil || len(qs) != 1 || qs[0].Documents[0] != "d" {
		t.Fatalf("%+v, %v", qs, err)
	}
}

func TestPlainTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"Path.rglob() finds *.py", []string{"path", "rglob", "finds", "py"}},
		{"sort_keys=True, indent=4", []string{"sort_keys", "true", "indent", "4"}},
		{"running runs", []string{"running", "runs"}}, // no stemming
		{"定休日は水曜", []string{"定休", "休日", "日は", "は水", "水曜"}},
		{"ls -l で一覧", []string{"ls", "l", "で一", "一覧"}},
		{"é x", []string{"x"}}, // only ASCII words
		{"本", []string{"本"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := plainTokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("plainTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestBaseline: sections are the chunks sharing a url, joined; a question
// is answered by the section whose words it shares, ties go to store order.
func TestBaseline(t *testing.T) {
	t.Parallel()
	chunk := func(id, url, path, text string) docmodel.Chunk {
		return docmodel.Chunk{ID: id, Text: text, Metadata: map[string]any{"url": url, "source": "bike.html", docmodel.MetaHeadingPath: path}}
	}
	st := chunkList{
		chunk("a", "bike.html#charging", "Bike > Charging", "A full charge takes 4.5 hours."),
		chunk("b", "bike.html#brakes", "Bike > Brakes", "Replace the pads when thinner than 1.5 mm."),
		chunk("c", "bike.html#charging", "Bike > Charging", "Use the 4 A charger for speed."),
		chunk("d", "bike.html#tyres", "Bike > Tyres", "Pump the tyres to 4 bar."),
	}
	qs := []rag.EvalQuestion{
		{ID: "joined", Question: "how long with the charger", Sections: []string{"bike.html#charging"}}, // "charger" is in chunk c only
		{ID: "brakes", Question: "when to replace brake pads", Sections: []string{"bike.html#brakes"}},
		{ID: "stemmed", Question: "replacing", Sections: []string{"bike.html#brakes"}}, // no stemming: no match
		{ID: "second", Question: "tyres", Sections: []string{"bike.html#charging"}},
		// Labelled by a chunk that is not its section's first.
		{ID: "by chunk", Question: "charger speed", Chunks: []string{"c"}},
	}
	m, ranks, err := Baseline(context.Background(), st, qs)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 1, 0, 0, 1}; !slices.Equal(ranks, want) {
		t.Errorf("ranks %v, want %v", ranks, want)
	}
	if m.Mode != BaselineMode || m.Questions != 5 || math.Abs(m.HitAt1-0.6) > 1e-9 {
		t.Errorf("metrics %+v", m)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Baseline(ctx, st, qs); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// chunkList is a store of chunks in memory, for Baseline.
type chunkList []docmodel.Chunk

func (c chunkList) ChunkCount() int            { return len(c) }
func (c chunkList) Chunk(i int) docmodel.Chunk { return c[i] }
