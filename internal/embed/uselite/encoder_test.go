package uselite

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestEncoder_Info(t *testing.T) {
	t.Parallel()
	info := encoder(t).Info()
	if info.Provider != "use-lite" || info.Model != "universal-sentence-encoder-lite" || info.Dims != 512 {
		t.Fatalf("Info = %+v", info)
	}
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func TestEmbed_Cases(t *testing.T) {
	t.Parallel()
	enc := encoder(t)
	long := strings.Repeat("the quick brown fox jumps over the lazy dog ", 40)
	tests := []struct {
		name  string
		texts []string
		check func(t *testing.T, vs [][]float32)
	}{
		{"NoTexts", nil, func(t *testing.T, vs [][]float32) {
			if len(vs) != 0 {
				t.Fatalf("got %d vectors for no texts", len(vs))
			}
		}},
		{"UnitNorm", []string{"hello", "", "東京", long}, func(t *testing.T, vs [][]float32) {
			for i, v := range vs {
				if len(v) != Dims {
					t.Fatalf("vector %d has %d dims", i, len(v))
				}
				var n float64
				for _, x := range v {
					n += float64(x) * float64(x)
				}
				if math.Abs(n-1) > 1e-5 {
					t.Errorf("vector %d has squared norm %g", i, n)
				}
			}
		}},
		{"Deterministic", []string{"same text", "same text"}, func(t *testing.T, vs [][]float32) {
			for j := range vs[0] {
				if vs[0][j] != vs[1][j] {
					t.Fatalf("dim %d: %g != %g", j, vs[0][j], vs[1][j])
				}
			}
		}},
		{"SemanticOrder", []string{"How do I reset my password?", "I forgot my password and need to change it.", "The weather in Osaka is sunny today."}, func(t *testing.T, vs [][]float32) {
			near, far := cosine(vs[0], vs[1]), cosine(vs[0], vs[2])
			if near <= far {
				t.Errorf("cos(password, password) = %.3f <= cos(password, weather) = %.3f", near, far)
			}
		}},
		{"TruncatedAt128Tokens", []string{long, long + " completely different tail about databases and kernels"}, func(t *testing.T, vs [][]float32) {
			if d := maxAbsDiff(vs[0], toF64(vs[1])); d != 0 {
				t.Errorf("texts equal in their first 128 tokens differ by %g", d)
			}
		}},
		{"OutputsDoNotAlias", []string{"a", "b"}, func(t *testing.T, vs [][]float32) {
			vs[0] = append(vs[0], 1)
			if vs[1][0] == 1 && vs[0][Dims] == 1 && &vs[0][Dims] == &vs[1][0] {
				t.Fatal("appending to one vector overwrote the next")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vs, err := enc.Embed(context.Background(), tt.texts)
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
			if len(vs) != len(tt.texts) {
				t.Fatalf("got %d vectors for %d texts", len(vs), len(tt.texts))
			}
			tt.check(t, vs)
		})
	}
}

func toF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func TestEmbed_Cancelled(t *testing.T) {
	t.Parallel()
	enc := encoder(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	vs, err := enc.Embed(ctx, []string{"one", "two"})
	if !errors.Is(err, context.Canceled) || vs != nil {
		t.Fatalf("Embed on cancelled ctx = %d vectors, %v; want nil, context.Canceled", len(vs), err)
	}
}

func TestEmbed_CancelledMidway(t *testing.T) {
	t.Parallel()
	enc := encoder(t)
	texts := make([]string, 2000)
	for i := range texts {
		texts[i] = strings.Repeat("a long enough sentence to take a while ", 4)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := enc.Embed(ctx, texts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("Embed returned %v after cancel", el)
	}
}

func TestEmbed_Concurrent(t *testing.T) {
	t.Parallel()
	enc := encoder(t)
	texts := []string{"Hello world.", "Concurrency is not parallelism.", "", "ベクトル", "x y z"}
	want, err := enc.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	workers := 2 * runtime.GOMAXPROCS(0)
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 3; r++ {
				got, err := enc.Embed(context.Background(), texts)
				if err != nil {
					errs <- err
					return
				}
				for i := range got {
					for j := range got[i] {
						if got[i][j] != want[i][j] {
							errs <- errors.New("concurrent result differs from sequential one")
							return
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkEmbed(b *testing.B) {
	enc := encoder(b)
	texts := []string{
		"How do I reset my password?",
		"Universal Sentence Encoder Lite runs in pure Go without cgo or a TensorFlow runtime.",
		"The quarterly report shows revenue growth across all regions, driven mainly by new enterprise customers in Asia.",
		"ok",
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := enc.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*len(texts)), "ms/sentence")
}

func BenchmarkEmbed_Long128(b *testing.B) {
	enc := encoder(b)
	long := []string{strings.Repeat("the quick brown fox jumps over the lazy dog ", 20)}
	if n := len(enc.Tokenizer().Encode(long[0])); n < MaxTokens {
		b.Fatalf("text has %d tokens, want >= %d", n, MaxTokens)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := enc.Embed(ctx, long); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}
