package evaluate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/ingest"
	"github.com/vendor0919/api/internal/localsearch"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

func TestFlags_Validate(t *testing.T) {
	t.Parallel()
	const weights = "--vector-weight must be 0 (the default) or positive, --keyword-weight positive"
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--dir", "d", "--questions", "q"}, ""},
		{[]string{"--questions", "q"}, "--dir and --questions are required"},
		{[]string{"--dir", "d"}, "--dir and --questions are required"},
		{[]string{"--dir", "d", "--questions", "q", "--vector-weight", "0"}, ""}, // the embedder's default
		{[]string{"--dir", "d", "--questions", "q", "--vector-weight", "-0.5"}, weights},
		{[]string{"--dir", "d", "--questions", "q", "--vector-weight", "NaN"}, weights},
		{[]string{"--dir", "d", "--questions", "q", "--keyword-weight", "-1"}, weights},
		{[]string{"--dir", "d", "--questions", "q", "--keyword-weight", "NaN"}, weights},
		{[]string{"--dir", "d", "--questions", "q", "--keyword-weight", "Inf"}, weights},
		{[]string{"--dir", "d", "--questions", "q", "--sweep", "0.5,1,2"}, ""},
	}
	for _, tt := range tests {
		var f Flags
		err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), tt.args, &f)
		if (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && (!errors.As(err, new(cliflag.UsageError)) || err.Error() != tt.wantErr)) {
			t.Errorf("%v: err %v, want %q", tt.args, err, tt.wantErr)
		}
	}
	for _, bad := range []string{"0", "-1", "x", "1,,2", "inf", "NaN", "1,nan"} {
		var f Flags
		if err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), []string{"--dir", "d", "--questions", "q", "--sweep", bad}, &f); err == nil {
			t.Errorf("--sweep %q accepted", bad)
		}
	}
	var sw Flags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), []string{"--dir", "d", "--questions", "q", "--sweep", "0.5, 1,2"}, &sw); err != nil ||
		len(sw.Sweep) != 3 || sw.Sweep[0] != 0.5 || sw.Sweep[2] != 2 || sw.Sweep.String() != "0.5,1,2" {
		t.Errorf("--sweep 0.5,1,2: %v, %v", sw.Sweep, err)
	}
	var f Flags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), []string{"--dir", "d", "--questions", "q", "--keyword-weight", "0.5"}, &f); err != nil {
		t.Fatal(err)
	}
	if got := f.RAGConfig(); got.VectorWeight != 0 || got.KeywordWeight != 0.5 { // 0: rag.New picks the embedder's
		t.Fatalf("rag config %+v", got)
	}
	for _, tc := range []struct {
		args []string
		docs int
	}{
		{nil, 0}, // the service's default
		{[]string{"--no-feedback"}, -1},
		{[]string{"--no-feedback=false"}, 0},
	} {
		var nf Flags
		if err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), append([]string{"--dir", "d", "--questions", "q"}, tc.args...), &nf); err != nil {
			t.Fatal(err)
		}
		if got := nf.RAGConfig().KeywordFeedback.Docs; got != tc.docs {
			t.Errorf("%v: feedback docs %d, want %d", tc.args, got, tc.docs)
		}
	}
}

// TestFlags_FieldWeights: --heading-weight and --section-weight reach
// rag.Config (0 turns the heading field off, the section field is off
// unless given), and bad weights are usage errors.
func TestFlags_FieldWeights(t *testing.T) {
	t.Parallel()
	heading := func(c rag.Config) float64 { return c.HeadingWeight }
	section := func(c rag.Config) float64 { return c.SectionWeight }
	for _, tc := range []struct {
		args []string
		get  func(rag.Config) float64
		want float64
		bad  bool
	}{
		{nil, heading, rag.DefaultHeadingWeight, false},
		{[]string{"--heading-weight", "0.5"}, heading, 0.5, false},
		{[]string{"--heading-weight", "0"}, heading, -1, false},
		{[]string{"--heading-weight", "-1"}, heading, 0, true},
		{[]string{"--heading-weight", "NaN"}, heading, 0, true},
		{[]string{"--heading-weight", "inf"}, heading, 0, true},
		{nil, section, rag.DefaultSectionWeight, false}, // as the server
		{[]string{"--section-weight", "0.2"}, section, 0.2, false},
		{[]string{"--section-weight", "0"}, section, -1, false},
		{[]string{"--section-weight", "-0.1"}, section, 0, true},
		{[]string{"--section-weight", "NaN"}, section, 0, true},
		{[]string{"--section-weight", "inf"}, section, 0, true},
	} {
		var f Flags
		err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), append([]string{"--dir", "d", "--questions", "q"}, tc.args...), &f)
		if tc.bad {
			if err == nil {
				t.Errorf("%v accepted", tc.args)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got := tc.get(f.RAGConfig()); got != tc.want {
			t.Errorf("%v: weight %v, want %v", tc.args, got, tc.want)
		}
	}
}

// TestFlags_Run: the questions are read before the store is opened, and
// the report names the store, its embedder and its size.
func TestFlags_Run(t *testing.T) {
	t.Parallel()
	in, dir := t.TempDir(), filepath.Join(t.TempDir(), "store")
	if err := os.WriteFile(filepath.Join(in, "brakes.md"), []byte("# Brakes\nReplace brake pads.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emb, err := embed.NewHash(embed.HashConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Build(context.Background(), in, dir, emb, ingest.Config{Exact: true}); err != nil {
		t.Fatal(err)
	}
	qpath := filepath.Join(t.TempDir(), "q.json")
	if err := os.WriteFile(qpath, []byte(`[{"id":"1","lang":"en","question":"brake pads","documents":["brakes.md"]}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	var opened string
	var gotCfg rag.Config
	open := func(ctx context.Context, d string, cfg rag.Config) (*rag.Service, *store.Store, error) {
		opened, gotCfg = d, cfg
		return localsearch.Open(ctx, d, emb, cfg)
	}
	f := Flags{Dir: dir, Questions: qpath, VectorWeight: 2, KeywordWeight: 1}
	rep, err := f.Run(context.Background(), open)
	if err != nil {
		t.Fatal(err)
	}
	if opened != dir || gotCfg.VectorWeight != 2 || rep.Store != dir || rep.Chunks != 1 || rep.Embedder != "hash/"+emb.Info().Model ||
		len(rep.Results) != len(Modes) || rep.Results[0].HitAt1 != 1 || rep.Unanswerable != nil {
		t.Fatalf("opened %q with %+v; report %+v", opened, gotCfg, rep)
	}

	// Questions whose labels all name nothing in the store are reported,
	// not only missed; one label that names something is enough.
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"id":"d","question":"q","documents":["nosuch.md"]},{"id":"s","question":"q","sections":["brakes.md#nope"]},`+
		`{"id":"c","question":"q","chunks":["deadbeef"]},{"id":"ok","question":"brake pads","documents":["brakes.md","nosuch.md"]}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	badRep, err := Flags{Dir: dir, Questions: bad, KeywordWeight: 1}.Run(context.Background(), open)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`d: document "nosuch.md"`, `s: section "brakes.md#nope"`, `c: chunk "deadbeef"`}
	if !slices.Equal(badRep.Unanswerable, want) {
		t.Errorf("unanswerable %q, want %q", badRep.Unanswerable, want)
	}
	var text bytes.Buffer
	badRep.WriteText(&text)
	if !strings.Contains(text.String(), "warning: 3 questions have no label that names anything in the store") {
		t.Errorf("text report lacks the warning:\n%s", text.String())
	}

	// --sweep reopens the store once per weight and adds a hybrid row each.
	var weightsSeen []float64
	sweepOpen := func(ctx context.Context, d string, cfg rag.Config) (*rag.Service, *store.Store, error) {
		weightsSeen = append(weightsSeen, cfg.VectorWeight)
		return localsearch.Open(ctx, d, emb, cfg)
	}
	fs := Flags{Dir: dir, Questions: qpath, VectorWeight: 1, KeywordWeight: 1, Sweep: weights{0.5, 3}}
	srep, err := fs.Run(context.Background(), sweepOpen)
	if err != nil {
		t.Fatal(err)
	}
	if len(weightsSeen) != 3 || weightsSeen[1] != 0.5 || weightsSeen[2] != 3 || len(srep.Sweep) != 2 ||
		srep.Sweep[1].VectorWeight != 3 || srep.Sweep[1].Mode != rag.ModeHybrid || srep.Sweep[1].Questions != 1 {
		t.Fatalf("sweep: opened with %v; rows %+v", weightsSeen, srep.Sweep)
	}

	f.Questions = filepath.Join(t.TempDir(), "missing.json")
	opened = ""
	if _, err := f.Run(context.Background(), open); err == nil || opened != "" {
		t.Fatalf("missing questions: err %v, opened %q", err, opened)
	}
}
