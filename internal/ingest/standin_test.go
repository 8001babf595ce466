package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/embcache"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/embedtest"
	"github.com/vendor0919/api/internal/retry"
	"github.com/vendor0919/api/internal/store"
	"github.com/vendor0919/api/internal/tokens"
)

// newStandinEmbedder builds the real embedder for kind, with its default
// retry policy, talking to srv in-process.
func newStandinEmbedder(t *testing.T, kind string, srv *embedtest.Server) embed.Embedder {
	t.Helper()
	return newStandinEmbedderWith(t, kind, srv, retry.Policy{})
}

// newStandinEmbedderWith is newStandinEmbedder retrying under p.
func newStandinEmbedderWith(t *testing.T, kind string, srv *embedtest.Server, p retry.Policy) embed.Embedder {
	t.Helper()
	var emb embed.Embedder
	var err error
	switch kind {
	case embedtest.OpenAI:
		emb, err = embed.NewOpenAI(embed.OpenAIConfig{BaseURL: "http://openai.test/v1", APIKey: "sk-test", Model: "text-embedding-3-small",
			Dims: 8, SendDimensions: true, HTTPClient: srv.Client(), Retry: p})
	case embedtest.Ollama:
		emb, err = embed.NewOllama(embed.OllamaConfig{BaseURL: "http://ollama.test", Model: "nomic-embed-text", Dims: 8, HTTPClient: srv.Client(), Retry: p})
	case embedtest.Bedrock:
		emb, err = embed.NewBedrock(context.Background(), embed.BedrockConfig{Region: "us-east-1", Dims: 256, BaseEndpoint: "http://bedrock.test",
			Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""), HTTPClient: srv.Client(), Retry: p})
	}
	if err != nil {
		t.Fatal(err)
	}
	return emb
}

// writeDocs writes three Markdown documents of a few chunks each (at
// chunk size 200) into a new folder.
func writeDocs(t *testing.T) string {
	t.Helper()
	in := t.TempDir()
	for _, name := range []string{"alpha", "bravo", "charlie"} {
		var b strings.Builder
		fmt.Fprintf(&b, "# %s guide\n\n", name)
		for s := range 3 {
			fmt.Fprintf(&b, "## %s section %d\n\n", name, s)
			for p := range 2 {
				fmt.Fprintf(&b, "Paragraph %d of %s section %d explains one thing in enough words to fill a chunk of its own. ", p, name, s)
				b.WriteString("It goes on a little longer so that the splitter has to break here.\n\n")
			}
		}
		writeFile(t, filepath.Join(in, name+".md"), b.String())
	}
	return in
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// standinConfig: small chunks, batches of 2 (Bedrock: 1), 2 calls at once.
func standinConfig(cache string) Config {
	return Config{Chunk: chunk.Options{Size: 200, Overlap: -1}, Batch: 2, Workers: 2, Exact: true, Version: "new", Cache: cache}
}

func countDistinct(texts []string) int {
	s := slices.Clone(texts)
	slices.Sort(s)
	return len(slices.Compact(s))
}

// TestBuild_Standins_RateLimitBurst: every provider's first requests are
// refused with 429 and Retry-After: 7; the build waits at least that long
// (in fake time), retries and embeds every chunk exactly once.
func testRateLimitBurst(t *testing.T, kind string) {
	{
		{
			in, out, cache := writeDocs(t), filepath.Join(t.TempDir(), "store"), t.TempDir()
			synctest.Test(t, func(t *testing.T) {
				srv := embedtest.New(kind)
				srv.FailWith(func(n int) embedtest.Failure {
					if n <= 3 {
						return embedtest.Failure{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"7"}}, Message: "slow down"}
					}
					return embedtest.Failure{}
				})
				start := time.Now()
				res, err := Build(t.Context(), in, out, newStandinEmbedder(t, kind, srv), standinConfig(cache))
				if err != nil {
					t.Fatal(err)
				}
				if waited := time.Since(start); waited < 7*time.Second {
					t.Errorf("build took %s of fake time; Retry-After asked for 7s", waited)
				}
				texts := srv.Texts()
				if len(texts) != res.Chunks || countDistinct(texts) != res.Chunks || res.ToEmbed != res.Chunks || res.Cached != 0 {
					t.Errorf("embedded %d texts (%d distinct) for %d chunks; result %+v", len(texts), countDistinct(texts), res.Chunks, res)
				}
				t.Logf("%s: %d chunks in %d calls, %d requests (3 refused with 429), %s of fake time", kind, res.Chunks, res.Batches, srv.Requests(), time.Since(start))
				if got, want := srv.Requests(), res.Batches+3; got != want {
					t.Errorf("%d requests, want %d calls + 3 refused", got, want)
				}
				if kind == embedtest.Bedrock && srv.MaxBatch() != 1 || srv.MaxBatch() > 2 {
					t.Errorf("largest request held %d texts", srv.MaxBatch())
				}
				if errs := srv.Errors(); len(errs) > 0 {
					t.Errorf("bad requests: %q", errs)
				}
			})
			m, err := store.ReadManifest(out)
			if err != nil || m.Embedding.Provider != kind || m.Embedding.Dims == 0 || m.Embedding.Model == "" {
				t.Fatalf("manifest %+v, %v: want the provider, model and dims recorded", m, err)
			}
		}
	}
}

// TestBuild_Standins_BatchPolicyRidesOutLimits: under retry.Batch(), the
// policy vectorstore build uses, 16 429s in a row and then one asking for
// 30 s (both of which the request path's policy gives up on) do not stop
// the build; after the 30 s answer no worker sends anything until the
// pause has passed.
func testBatchPolicyRidesOutLimits(t *testing.T, kind string) {
	in, out, cache := writeDocs(t), filepath.Join(t.TempDir(), "store"), t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		srv := embedtest.New(kind)
		var mu sync.Mutex
		var at []time.Time // when each request arrived
		srv.FailWith(func(n int) embedtest.Failure {
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
			switch {
			case n <= 16:
				return embedtest.Failure{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"0"}}, Message: "slow down"}
			case n == 17:
				return embedtest.Failure{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"30"}}, Message: "slow down"}
			}
			return embedtest.Failure{}
		})
		res, err := Build(t.Context(), in, out, newStandinEmbedderWith(t, kind, srv, retry.Batch()), standinConfig(cache))
		if err != nil {
			t.Fatal(err)
		}
		if got := len(srv.Texts()); got != res.Chunks {
			t.Errorf("embedded %d texts for %d chunks", got, res.Chunks)
		}
		mu.Lock()
		defer mu.Unlock()
		paused := at[16]
		for i, a := range at[17:] {
			// A request already on its way when the 30 s answer came
			// arrives at the same instant; none may start within the pause.
			if a.After(paused) && a.Before(paused.Add(30*time.Second)) {
				t.Errorf("request %d sent %v after the 30 s Retry-After", i+18, a.Sub(paused))
			}
		}
	})
}

// TestBuild_Standins_ServerErrorResumes: the provider fails every request
// after the second with a 500. The build stops with the provider's
// message, the previous store stays, and the cache keeps what succeeded:
// the rerun embeds only the rest.
func testServerErrorResumes(t *testing.T, kind string) {
	{
		{
			in, out, cache := writeDocs(t), filepath.Join(t.TempDir(), "store"), t.TempDir()
			oldCfg := standinConfig("")
			oldCfg.Version = "old"
			old, err := Build(context.Background(), in, out, hashEmbedder(t), oldCfg)
			if err != nil {
				t.Fatal(err)
			}
			synctest.Test(t, func(t *testing.T) {
				srv := embedtest.New(kind)
				srv.FailWith(func(n int) embedtest.Failure {
					if n > 2 {
						return embedtest.Failure{Status: http.StatusInternalServerError, Message: "upstream exploded"}
					}
					return embedtest.Failure{}
				})
				emb := newStandinEmbedder(t, kind, srv)
				_, err := Build(t.Context(), in, out, emb, standinConfig(cache))
				if err == nil || !strings.Contains(err.Error(), "upstream exploded") || !strings.Contains(err.Error(), "500") {
					t.Fatalf("err %v, want the provider's 500 message", err)
				}
				if m, err := store.ReadManifest(out); err != nil || m.Version != "old" || m.Count != old.Manifest.Count {
					t.Fatalf("previous store: %+v, %v", m, err)
				}
				first := srv.Texts()
				if len(first) == 0 || len(first) >= old.Chunks {
					t.Fatalf("first run embedded %d of %d chunks; want some, not all", len(first), old.Chunks)
				}

				srv.FailWith(nil)
				srv.Reset()
				res, err := Build(t.Context(), in, out, emb, standinConfig(cache))
				if err != nil {
					t.Fatal(err)
				}
				second := srv.Texts()
				if res.Cached != len(first) || len(second) != res.Chunks-len(first) || res.ToEmbed != len(second) {
					t.Fatalf("rerun: %d cached, %d embedded of %d chunks; first run embedded %d", res.Cached, len(second), res.Chunks, len(first))
				}
				t.Logf("%s: %d chunks; failing run embedded %d texts; rerun: %d from the cache, %d texts in %d batches",
					kind, res.Chunks, len(first), res.Cached, len(second), srv.Requests())
				wantCalls := (len(second) + 1) / 2 // batches of 2
				if kind == embedtest.Bedrock {
					wantCalls = len(second) // one text per InvokeModel
				}
				if res.Batches != wantCalls || srv.Requests() != wantCalls {
					t.Fatalf("rerun: %d calls, %d requests; want %d for %d texts", res.Batches, srv.Requests(), wantCalls, len(second))
				}
				for _, s := range second {
					if slices.Contains(first, s) {
						t.Fatalf("rerun embedded %q again", s)
					}
				}
			})
			st, err := store.Open(context.Background(), out, store.OpenOptions{})
			if err != nil || st.Manifest.Version != "new" || st.Manifest.Count != old.Chunks {
				t.Fatalf("store after the rerun: %v", err)
			}
		}
	}
}

// testBadVectorsRefused: the provider answers the chunks of one section
// with vectors the index cannot normalise (all zeros; values whose float32
// squared norm overflows). The build stops with the provider named and
// embed.ErrBadResponse, the previous store stays, and the cache holds
// none of those vectors: once the provider recovers, the rerun embeds
// them again and every stored vector has unit length.
func testBadVectorsRefused(t *testing.T, kind string) {
	for _, bad := range []struct {
		name string
		fill float32
	}{{"zeros", 0}, {"huge", 3e38}} {
		t.Run(bad.name, func(t *testing.T) {
			in, out, cache := writeDocs(t), filepath.Join(t.TempDir(), "store"), t.TempDir()
			oldCfg := standinConfig("")
			oldCfg.Version = "old"
			old, err := Build(context.Background(), in, out, hashEmbedder(t), oldCfg)
			if err != nil {
				t.Fatal(err)
			}
			var (
				mu       sync.Mutex
				badTexts []string
			)
			synctest.Test(t, func(t *testing.T) {
				srv := embedtest.New(kind)
				srv.VectorsWith(func(text string, dims int) []float32 {
					if !strings.Contains(text, "bravo section 1") {
						return embedtest.Vector(text, dims)
					}
					mu.Lock()
					badTexts = append(badTexts, text)
					mu.Unlock()
					v := make([]float32, dims)
					for i := range v {
						v[i] = bad.fill
					}
					return v
				})
				emb := newStandinEmbedder(t, kind, srv)
				_, err := Build(t.Context(), in, out, emb, standinConfig(cache))
				if !errors.Is(err, embed.ErrBadResponse) || !strings.Contains(err.Error(), kind+": ") {
					t.Fatalf("err %v, want %v naming %s", err, embed.ErrBadResponse, kind)
				}
				if m, err := store.ReadManifest(out); err != nil || m.Version != "old" || m.Count != old.Manifest.Count {
					t.Fatalf("previous store: %+v, %v", m, err)
				}
				if len(badTexts) == 0 {
					t.Fatal("no chunk was answered with a bad vector")
				}
				info := emb.Info()
				c, err := embcache.OpenReadOnly(embcache.Dir(cache, info), info.Dims)
				if err != nil {
					t.Fatal(err)
				}
				for _, text := range badTexts {
					if c.Has(embcache.KeyOf(info, text)) {
						t.Errorf("the cache kept the bad vector of %q", text)
					}
				}
				c.Close()

				srv.VectorsWith(nil)
				srv.Reset()
				res, err := Build(t.Context(), in, out, emb, standinConfig(cache))
				if err != nil {
					t.Fatal(err)
				}
				for _, text := range badTexts {
					if !slices.Contains(srv.Texts(), text) {
						t.Errorf("rerun took %q from the cache", text)
					}
				}
				st, err := store.Open(context.Background(), out, store.OpenOptions{})
				if err != nil || st.Manifest.Version != "new" || st.ChunkCount() != res.Chunks {
					t.Fatalf("store after the rerun: %v", err)
				}
				vx, ok := st.Index.(interface{ Vectors() []float32 })
				if !ok {
					t.Fatalf("index %T does not expose its vectors", st.Index)
				}
				vecs := vx.Vectors()
				for i := range res.Chunks {
					if v := vecs[i*info.Dims : (i+1)*info.Dims]; !ann.Normalizable(v) {
						t.Fatalf("stored vector %d: %v", i, v)
					}
				}
			})
		})
	}
}

// standinCases are the behaviours each provider is checked for.
func standinCases() []struct {
	name string
	run  func(t *testing.T, kind string)
} {
	long := strings.Repeat("overlong words keep going ", 2400) // 62,400 characters
	tests := []struct {
		name  string
		check func(t *testing.T, kind string, srv *embedtest.Server, emb embed.Embedder, in, out, cache string)
	}{
		{"long text is cut and counted", func(t *testing.T, kind string, srv *embedtest.Server, emb embed.Embedder, in, out, cache string) {
			writeFile(t, filepath.Join(in, "long.txt"), long)
			cfg := standinConfig(cache)
			cfg.Chunk.Size = 100_000
			res, err := Build(t.Context(), in, out, emb, cfg)
			if err != nil {
				t.Fatal(err)
			}
			wantCut := 1
			if kind == embedtest.Ollama { // the server truncates; nothing is cut here
				wantCut = 0
			}
			if res.Truncated != wantCut {
				t.Fatalf("truncated %d chunks, want %d", res.Truncated, wantCut)
			}
			for _, s := range srv.Texts() {
				if strings.HasPrefix(s, "overlong") && wantCut == 1 && (tokens.Estimate(s) > 8191 || len(s) > 50_000 || len(s) < 20_000) {
					t.Fatalf("sent %d characters, %d estimated tokens", len(s), tokens.Estimate(s))
				}
			}
			st, err := store.Open(context.Background(), out, store.OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if st.ChunkCount() == 0 {
				t.Fatal("store has no chunks")
			}
			for i := range st.ChunkCount() {
				if c := st.Chunk(i); c.Metadata["source"] == "long.txt" && c.Text != strings.TrimSpace(long) {
					t.Fatalf("stored text cut to %d characters", len(c.Text))
				}
			}
		}},
		{"parse failure is skipped and counted", func(t *testing.T, kind string, srv *embedtest.Server, emb embed.Embedder, in, out, cache string) {
			writeFile(t, filepath.Join(in, "broken.pdf"), "%PDF-1.7 this is not a PDF")
			res, err := Build(t.Context(), in, out, emb, standinConfig(cache))
			if err != nil {
				t.Fatal(err)
			}
			if res.Documents != 3 || len(res.Skipped) != 1 || res.Skipped[0].Path != "broken.pdf" || res.Skipped[0].Err == nil {
				t.Fatalf("documents %d, skipped %+v", res.Documents, res.Skipped)
			}
		}},
		{"dry run makes no request", func(t *testing.T, kind string, srv *embedtest.Server, emb embed.Embedder, in, out, cache string) {
			cfg := standinConfig(cache)
			cfg.DryRun = true
			res, err := Build(t.Context(), in, out, emb, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if srv.Requests() != 0 || res.Manifest != nil || res.ToEmbed != res.Chunks || res.Tokens == 0 || res.EmbedTokens != res.Tokens {
				t.Fatalf("%d requests; result %+v", srv.Requests(), res)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("dry run wrote %s: %v", out, err)
			}
			if wantLocal := kind == embedtest.Ollama; !res.Cost.Known || res.Cost.Local != wantLocal || (!wantLocal && res.Cost.USD <= 0) {
				t.Fatalf("cost %+v", res.Cost)
			}
			// After a real build the dry run finds everything cached.
			cfg.DryRun = false
			if _, err := Build(t.Context(), in, out, emb, cfg); err != nil {
				t.Fatal(err)
			}
			srv.Reset()
			cfg.DryRun = true
			if res, err = Build(t.Context(), in, out, emb, cfg); err != nil || res.Cached != res.Chunks || res.ToEmbed != 0 || srv.Requests() != 0 {
				t.Fatalf("dry run after build: %+v, %v, %d requests", res, err, srv.Requests())
			}
		}},
		{"interrupted build resumes", func(t *testing.T, kind string, srv *embedtest.Server, emb embed.Embedder, in, out, cache string) {
			ctx, cancel := context.WithCancel(t.Context())
			srv.FailWith(func(n int) embedtest.Failure {
				if n == 3 {
					cancel() // Ctrl-C while the third request is in flight
				}
				return embedtest.Failure{}
			})
			if _, err := Build(ctx, in, out, emb, standinConfig(cache)); !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want the cancellation", err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("interrupted build wrote %s: %v", out, err)
			}
			srv.FailWith(nil)
			srv.Reset()
			res, err := Build(t.Context(), in, out, emb, standinConfig(cache))
			if err != nil {
				t.Fatal(err)
			}
			if res.Cached < 1 || len(srv.Texts()) != res.Chunks-res.Cached {
				t.Fatalf("rerun: %d cached, %d embedded of %d chunks", res.Cached, len(srv.Texts()), res.Chunks)
			}
		}},
		{"rebuild embeds only the changed document", func(t *testing.T, kind string, srv *embedtest.Server, emb embed.Embedder, in, out, cache string) {
			if _, err := Build(t.Context(), in, out, emb, standinConfig(cache)); err != nil {
				t.Fatal(err)
			}
			srv.Reset()
			b, _ := os.ReadFile(filepath.Join(in, "bravo.md"))
			writeFile(t, filepath.Join(in, "bravo.md"), strings.ReplaceAll(string(b), "one thing", "a revised thing"))
			res, err := Build(t.Context(), in, out, emb, standinConfig(cache))
			if err != nil {
				t.Fatal(err)
			}
			texts := srv.Texts()
			if len(texts) == 0 || res.ToEmbed != len(texts) || res.Cached != res.Chunks-len(texts) {
				t.Fatalf("re-embedded %d texts; result %+v", len(texts), res)
			}
			for _, s := range texts {
				if !strings.Contains(s, "revised") {
					t.Fatalf("re-embedded an unchanged chunk %q", s)
				}
			}
		}},
	}
	cases := []struct {
		name string
		run  func(t *testing.T, kind string)
	}{
		{"429 burst honours Retry-After", testRateLimitBurst},
		{"the batch policy rides out rate limits", testBatchPolicyRidesOutLimits},
		{"5xx mid-build resumes from the cache", testServerErrorResumes},
		{"unnormalisable vectors are refused, not stored or cached", testBadVectorsRefused},
	}
	for _, tt := range tests {
		cases = append(cases, struct {
			name string
			run  func(t *testing.T, kind string)
		}{tt.name, func(t *testing.T, kind string) {
			in, out, cache := writeDocs(t), filepath.Join(t.TempDir(), "store"), t.TempDir()
			synctest.Test(t, func(t *testing.T) {
				srv := embedtest.New(kind)
				tt.check(t, kind, srv, newStandinEmbedder(t, kind, srv), in, out, cache)
				if errs := srv.Errors(); len(errs) > 0 {
					t.Errorf("bad requests: %q", errs)
				}
			})
		}})
	}
	return cases
}

// TestBuild_Standins runs every case against the OpenAI and Ollama
// stand-ins, in fake time (synctest): retry back-offs and Retry-After
// waits take no real time.
func TestBuild_Standins(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{embedtest.OpenAI, embedtest.Ollama} {
		for _, tc := range standinCases() {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				tc.run(t, kind)
			})
		}
	}
}

// TestBuild_StandinBedrock runs every case against the Bedrock stand-in.
// It cannot run in parallel: the AWS SDK refuses a plain *http.Client (the
// in-process transport) when AWS_CA_BUNDLE is set, as it is on some build
// machines, so the variable is cleared for the test.
func TestBuild_StandinBedrock(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	for _, tc := range standinCases() {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, embedtest.Bedrock) })
	}
}
