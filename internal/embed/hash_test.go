package embed

import (
	"context"
	"errors"
	"math"
	"reflect"
	"sort"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
)

func TestNewHash_Config(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dims    int
		want    int
		wantErr bool
	}{{0, 384, false}, {64, 64, false}, {4, 0, true}, {1 << 20, 0, true}}
	for _, tc := range tests {
		h, err := NewHash(HashConfig{Dims: tc.dims})
		if tc.wantErr {
			if !errors.Is(err, ErrConfig) {
				t.Errorf("dims %d: err = %v, want ErrConfig", tc.dims, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("dims %d: %v", tc.dims, err)
		}
		if got := h.Info(); got != (docmodel.EmbeddingModel{Provider: "hash", Model: "hash-v1", Dims: tc.want}) {
			t.Errorf("dims %d: Info = %+v", tc.dims, got)
		}
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestHash_Properties(t *testing.T) {
	t.Parallel()
	h, _ := NewHash(HashConfig{Dims: 256})
	vs, err := h.Embed(context.Background(), []string{"the quick brown fox", "the quick brown fox", "", "東京の天気"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 {
		t.Fatalf("got %d vectors", len(vs))
	}
	if !reflect.DeepEqual(vs[0], vs[1]) {
		t.Error("same text gave different vectors")
	}
	if n := dot(vs[0], vs[0]); math.Abs(n-1) > 1e-5 {
		t.Errorf("norm^2 = %v, want 1", n)
	}
	if n := dot(vs[2], vs[2]); n != 0 {
		t.Errorf("empty text norm^2 = %v, want 0", n)
	}
	if n := dot(vs[3], vs[3]); math.Abs(n-1) > 1e-5 {
		t.Errorf("japanese norm^2 = %v, want 1", n)
	}
	vs[0][0] = 42 // caller owns the result: must not affect later calls
	again, _ := h.Embed(context.Background(), []string{"the quick brown fox"})
	if again[0][0] == 42 {
		t.Error("vectors are shared between calls")
	}
}

// TestHash_RanksLexicalOverlap checks that the document sharing the most
// words with the query ranks first, for English and for Japanese.
func TestHash_RanksLexicalOverlap(t *testing.T) {
	t.Parallel()
	docs := []string{
		"The cat sat on the mat and purred.",
		"Quarterly revenue grew by ten percent in the Tokyo office.",
		"To reset your password, open settings and choose security.",
		"東京の天気は明日晴れる予報です。",
		"パスワードを再設定するには設定画面を開いてください。",
		"猫はマットの上で寝ています。",
	}
	tests := []struct {
		query string
		want  int
	}{
		{"how do I reset my password in settings", 2},
		{"revenue growth Tokyo office", 1},
		{"cat on the mat", 0},
		{"パスワードの再設定方法", 4},
		{"明日の東京の天気", 3},
		{"猫はどこで寝ていますか", 5},
	}
	h, _ := NewHash(HashConfig{})
	dv, err := h.Embed(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			qv, _ := h.Embed(context.Background(), []string{tc.query})
			idx := make([]int, len(docs))
			for i := range idx {
				idx[i] = i
			}
			sort.Slice(idx, func(a, b int) bool { return dot(qv[0], dv[idx[a]]) > dot(qv[0], dv[idx[b]]) })
			if idx[0] != tc.want {
				t.Errorf("top = %d (%q), want %d", idx[0], docs[idx[0]], tc.want)
			}
		})
	}
}

func TestHash_CanceledContext(t *testing.T) {
	t.Parallel()
	h, _ := NewHash(HashConfig{Dims: 8})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Embed(ctx, []string{"a"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
