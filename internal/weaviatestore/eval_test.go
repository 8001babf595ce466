package weaviatestore

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vendor0919/api/internal/embed/glove"
	"github.com/vendor0919/api/internal/embed/minilm"
	"github.com/vendor0919/api/internal/evaluate"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/localsearch"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

// TestEval_HybridFusion measures retrieval quality on the evaluation sets
// (make eval's stores and questions) over the embedded store and over
// Weaviate with each hybrid fusion; it reports, it does not gate. It runs
// when VENDOR0919_EVAL_WEAVIATE=1 and the stores scripts/eval.sh builds
// exist (docs/SCALING.md quotes it).
func TestEval_HybridFusion(t *testing.T) {
	if os.Getenv("VENDOR0919_EVAL_WEAVIATE") != "1" {
		t.Skip("set VENDOR0919_EVAL_WEAVIATE=1 (after make eval) to compare hybrid fusions")
	}
	srv := server(t)
	ctx := context.Background()
	// make eval builds with the default embedder, minilm.
	emb, err := minilm.New()
	if err != nil {
		t.Fatal(err)
	}
	gen, err := llm.NewExtractive(llm.ExtractiveConfig{})
	if err != nil {
		t.Fatal(err)
	}
	soft, err := glove.Shared()
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	sets := []struct{ name, dir, questions string }{{"demo", "../demo/store", "../demo/questions.json"}}
	// Every set of internal/evalsets whose store make eval built (not a
	// held-back one).
	found, err := filepath.Glob("../evalsets/*/questions.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, questions := range found {
		name := filepath.Base(filepath.Dir(questions))
		dir := filepath.Join(home, ".cache/vendor0919/eval-stores", name)
		if _, err := os.Stat(dir); err != nil {
			t.Logf("%s: no store at %s; skipped", name, dir)
			continue
		}
		sets = append(sets, struct{ name, dir, questions string }{name, dir, questions})
	}
	for _, set := range sets {
		qs, err := evaluate.ReadQuestions(set.questions)
		if err != nil {
			t.Fatal(err)
		}
		alias := newAlias(t)
		if _, err := Push(ctx, set.dir, store.OpenOptions{}, PushOptions{Conn: Conn{URL: srv.URL, GRPCAddr: srv.GRPCAddr}, Alias: alias, Index: IndexFlat}); err != nil {
			t.Fatal(err)
		}
		// Each fusion with the service's soft match off and on: it reranks
		// whatever the backend returns.
		for _, cfg := range []rag.Config{{SoftMatchWeight: -1}, {SoftMatch: soft}} {
			mem, _, err := localsearch.Open(ctx, set.dir, emb, cfg)
			if err != nil {
				t.Fatalf("%s: %v (run make eval first)", set.name, err)
			}
			for _, run := range []struct {
				label  string
				fusion string
			}{{"embedded", ""}, {"weaviate+service fusion", FusionService}, {"weaviate+weaviate fusion", FusionWeaviate}} {
				svc := mem
				if run.fusion != "" {
					if svc, err = rag.New(cfg, emb, gen); err != nil {
						t.Fatal(err)
					}
					svc.UseBackend(openStore(t, srv, alias, emb.Info(), run.fusion))
				}
				if cfg.SoftMatch != nil {
					run.label += ", soft match"
				}
				for _, mode := range []rag.Mode{rag.ModeHybrid, rag.ModeKeyword, rag.ModeVector} {
					m, _, err := rag.Evaluate(ctx, svc, qs, mode)
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%-6s %-38s %-8s hit@1 %.3f hit@5 %.3f MRR@5 %.3f (%d questions)", set.name, run.label, mode, m.HitAt1, m.HitAt5, m.MRR, m.Questions)
				}
			}
		}
	}
}
