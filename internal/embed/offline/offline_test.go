package offline

import (
	"context"
	"math"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed/glove"
	"github.com/vendor0919/api/internal/embed/uselite"
)

// TestNew_JoinsBothModels checks the names, the dims and that a joined
// cosine is the mean of the two models' own cosines.
func TestNew_JoinsBothModels(t *testing.T) {
	t.Parallel()
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Info(), (docmodel.EmbeddingModel{Provider: Provider, Model: Model, Dims: 612}); got != want {
		t.Errorf("Info = %+v, want %+v", got, want)
	}
	if _, ok := e.(interface{ CountTokens(string) int }); !ok {
		t.Error("does not count tokens as use-lite does")
	}
	// What httpapi bounds a request's work by: the tokens use-lite reads.
	if m, ok := e.(interface{ MaxInputTokens() int }); !ok || m.MaxInputTokens() != uselite.MaxTokens {
		t.Errorf("does not say it reads use-lite's %d tokens of a text", uselite.MaxTokens)
	}
	u, _ := uselite.New()
	g, _ := glove.New()
	texts := []string{"remove a directory and its files", "delete a folder recursively"}
	ctx := context.Background()
	jv, err := e.Embed(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	uv, _ := u.Embed(ctx, texts)
	gv, _ := g.Embed(ctx, texts)
	want := (dot(uv[0], uv[1]) + dot(gv[0], gv[1])) / 2
	if got := dot(jv[0], jv[1]); math.Abs(got-want) > 1e-5 {
		t.Errorf("joined cosine %.6f, want the mean of the parts' %.6f", got, want)
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}
