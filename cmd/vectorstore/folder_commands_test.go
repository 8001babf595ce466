package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/lcfixture"
	"github.com/vendor0919/api/internal/providers"
	"github.com/vendor0919/api/internal/store"
)

// namedFixture is a LangChain folder saved with index_name="faiss_index"
// (faiss_index.faiss + faiss_index.pkl) by scripts/faiss_fixtures.py.
const namedFixture = "../../internal/store/testdata/langchain/index_name_flat_l2_pydantic_v2"

// runCmdEnv is runCmd with an environment.
func runCmdEnv(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runMain(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return out.String(), errb.String(), code
}

// fixtureQuery is one query FAISS answered for a fixture: the vector and
// the docstore id of its best row.
func fixtureQuery(t *testing.T, dir string) (vec []float32, top string) {
	t.Helper()
	var e struct {
		Queries [][]float32 `json:"queries"`
		Labels  [][]int     `json:"labels"`
		IDs     []string    `json:"ids"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e.Queries[0], e.IDs[e.Labels[0][0]]
}

func TestCommands_IndexName(t *testing.T) {
	t.Parallel()
	// Without --index-name the folder is no store, and the error says
	// which name to pass.
	for _, cmd := range []string{"inspect", "verify"} {
		_, errOut, code := runCmd(t, cmd, namedFixture)
		if code != 1 || !strings.Contains(errOut, "--index-name faiss_index") {
			t.Errorf("%s without --index-name: exit %d, stderr %q", cmd, code, errOut)
		}
	}

	out, errOut, code := runCmd(t, "inspect", "--index-name", "faiss_index", namedFixture)
	if code != 0 || !strings.Contains(out, "index name: faiss_index") || !strings.Contains(out, "faiss_index.pkl") ||
		!strings.Contains(out, "24 documents (consistent)") {
		t.Fatalf("inspect: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = runCmd(t, "inspect", namedFixture, "--json", "--index-name", "faiss_index")
	var rep struct {
		IndexName string          `json:"index_name"`
		Rows      *store.RowCheck `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.IndexName != "faiss_index" || rep.Rows == nil || !rep.Rows.OK() {
		t.Fatalf("inspect --json: exit %d, %v\n%s", code, err, out)
	}
	out, errOut, code = runCmd(t, "verify", "--index-name", "faiss_index", namedFixture)
	if code != 0 || !strings.Contains(out, "ok  faiss_index.faiss") || !strings.Contains(out, "24 chunks") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}

	native := filepath.Join(t.TempDir(), "native")
	out, errOut, code = runCmd(t, "import-faiss", "--in", namedFixture, "--out", native, "--index-name", "faiss_index", "--exact",
		"--provider", "hash", "--model", "hash-v1")
	if code != 0 || !strings.Contains(out, "imported 24 chunks of 8 dims") {
		t.Fatalf("import-faiss: exit %d\n%s%s", code, out, errOut)
	}

	vec, top := fixtureQuery(t, namedFixture)
	js, _ := json.Marshal(vec)
	out, errOut, code = runCmd(t, "search", "--dir", namedFixture, "--index-name", "faiss_index", "--vector", string(js), "--top-k", "1")
	if code != 0 || !strings.Contains(out, "["+top+"]") {
		t.Fatalf("search: exit %d\n%s%s", code, out, errOut)
	}

	// eval reads the folder under its name too, with an embedder named
	// for it (a LangChain folder records none).
	q := filepath.Join(t.TempDir(), "q.json")
	if err := os.WriteFile(q, []byte(`[{"id":"1","lang":"en","question":"VPN outside the office","documents":["docs/handbook-01.pdf"]}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCmdEnv(t, map[string]string{"EMBEDDING_DIMS": "8"},
		"eval", "--dir", namedFixture, "--index-name", "faiss_index", "--embedder", "hash", "--questions", q, "--json")
	if code != 0 || !strings.Contains(out, `"questions": 1`) {
		t.Fatalf("eval: exit %d\n%s%s", code, out, errOut)
	}

	for _, args := range [][]string{
		{"inspect", "--index-name", "../faiss_index", namedFixture},
		{"verify", "--index-name", "a/b", namedFixture},
		{"import-faiss", "--in", namedFixture, "--out", native, "--index-name", ".hidden"},
		{"search", "--dir", namedFixture, "--index-name", "x/..", "--vector", string(js)},
		{"eval", "--dir", namedFixture, "--index-name", "a\\b", "--questions", q},
	} {
		if _, errOut, code := runCmd(t, args...); code != 2 || !strings.Contains(errOut, "--index-name") {
			t.Errorf("%v: exit %d, want 2 with a usage error naming --index-name (%s)", args, code, errOut)
		}
	}
}

// TestCommands_IndexNameFromEnv: without --index-name every command that
// reads a folder takes VECTORSTORE_INDEX_NAME, as the server does, and the
// flag still wins over it.
func TestCommands_IndexNameFromEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{"VECTORSTORE_INDEX_NAME": "faiss_index", "EMBEDDING_DIMS": "8"}
	vec, top := fixtureQuery(t, namedFixture)
	js, _ := json.Marshal(vec)
	q := filepath.Join(t.TempDir(), "q.json")
	if err := os.WriteFile(q, []byte(`[{"id":"1","lang":"en","question":"VPN outside the office","documents":["docs/handbook-01.pdf"]}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"inspect", namedFixture}, "index name: faiss_index"},
		{[]string{"verify", namedFixture}, "ok  faiss_index.faiss"},
		{[]string{"import-faiss", "--in", namedFixture, "--out", filepath.Join(t.TempDir(), "n"), "--exact", "--provider", "hash", "--model", "hash-v1"}, "imported 24 chunks"},
		{[]string{"search", "--dir", namedFixture, "--vector", string(js), "--top-k", "1"}, "[" + top + "]"},
		{[]string{"eval", "--dir", namedFixture, "--embedder", "hash", "--questions", q, "--json"}, `"questions": 1`},
	}
	for _, tt := range tests {
		out, errOut, code := runCmdEnv(t, env, tt.args...)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("%v with VECTORSTORE_INDEX_NAME=faiss_index: exit %d, want %q\n%s%s", tt.args, code, tt.want, out, errOut)
		}
	}

	// The flag wins: "index" names no files in this folder.
	if _, errOut, code := runCmdEnv(t, env, "inspect", "--index-name", "index", namedFixture); code != 1 || !strings.Contains(errOut, "--index-name faiss_index") {
		t.Errorf("inspect --index-name index: exit %d, stderr %q", code, errOut)
	}
	// A bad value is a usage error naming the variable, when it is used.
	bad := map[string]string{"VECTORSTORE_INDEX_NAME": "../x", "EMBEDDING_DIMS": "8"}
	for _, args := range [][]string{
		{"inspect", namedFixture},
		{"verify", namedFixture},
		{"search", "--dir", namedFixture, "--vector", string(js)},
		{"eval", "--dir", namedFixture, "--embedder", "hash", "--questions", q},
	} {
		if _, errOut, code := runCmdEnv(t, bad, args...); code != 2 || !strings.Contains(errOut, `VECTORSTORE_INDEX_NAME="../x"`) {
			t.Errorf("%v with VECTORSTORE_INDEX_NAME=../x: exit %d, stderr %q", args, code, errOut)
		}
	}
	// ... and only then: the flag overrides it, and commands that read no
	// LangChain folder, or only print help, do not look at it.
	if out, errOut, code := runCmdEnv(t, bad, "inspect", "--index-name", "faiss_index", namedFixture); code != 0 || !strings.Contains(out, "index name: faiss_index") {
		t.Errorf("inspect --index-name with a bad variable: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := runCmdEnv(t, bad, "inspect", "-h"); code != 0 || !strings.Contains(errOut, "-index-name") {
		t.Errorf("inspect -h with a bad variable: exit %d, stderr %q", code, errOut)
	}
	docs := filepath.Join(t.TempDir(), "docs")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "a.md"), []byte("# A\n\nSome text."), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runCmdEnv(t, bad, "build", "--in", docs, "--out", filepath.Join(t.TempDir(), "s"), "--embedder", "hash", "--dry-run"); code != 0 {
		t.Errorf("build --dry-run with a bad variable: exit %d\n%s%s", code, out, errOut)
	}
}

func TestSearch_RawVector(t *testing.T) {
	t.Parallel()
	vec, top := fixtureQuery(t, lcFixture)
	js, _ := json.Marshal(vec)
	file := filepath.Join(t.TempDir(), "q.json")
	if err := os.WriteFile(file, append(js, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	// A LangChain folder names no embedder: a raw vector needs none.
	for _, args := range [][]string{
		{"--vector", string(js)},
		{"--vector", "@" + file},
		{"--vector-file", file},
		{"--vector", string(js), "--mode", "vector"},
		{"--vector", string(js), "--embedder", "hash"}, // checked against the store, then unused
	} {
		full := append([]string{"search", "--dir", lcFixture, "--top-k", "3", "--json"}, args...)
		out, errOut, code := runCmdEnv(t, map[string]string{"EMBEDDING_DIMS": "8"}, full...)
		var hits []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(out), &hits); code != 0 || err != nil || len(hits) != 3 || hits[0].ID != top {
			t.Errorf("%v: exit %d, hits %+v (%v), want %s first\n%s", args, code, hits, err, top, errOut)
		}
	}

	// A store whose manifest names a provider that needs credentials
	// (bedrock here) is searched by vector without them.
	dir := filepath.Join(t.TempDir(), "bedrock")
	chunks := []docmodel.Chunk{{ID: "a", Text: "alpha"}, {ID: "b", Text: "beta"}}
	vectors := []float32{1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	if _, err := store.Write(context.Background(), dir, chunks, vectors, store.WriteOptions{
		Embedding: docmodel.EmbeddingModel{Provider: "bedrock", Model: "amazon.titan-embed-text-v2:0", Dims: 8}, Exact: true}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCmd(t, "search", "--dir", dir, "--vector", "[0,1,0,0,0,0,0,0]", "--top-k", "1")
	if code != 0 || !strings.Contains(out, "[b]") {
		t.Errorf("bedrock store by vector: exit %d\n%s%s", code, out, errOut)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--query", "q", "--vector", string(js)}, "mutually exclusive"},
		{[]string{"--vector", string(js), "--vector-file", file}, "mutually exclusive"},
		{[]string{"--vector", string(js), "--mode", "keyword"}, "--mode keyword needs --query"},
		{[]string{"--vector", "[1, 2"}, "--vector: want a JSON array"},
		{[]string{"--vector", "[]"}, "non-empty"},
		{[]string{"--vector", `[1, "x"]`}, "--vector: want a JSON array"},
		{[]string{"--vector", "[1e39, 0]"}, "element 0 (1e39) is not a finite float32"},
		{[]string{"--vector", "[1] [2]"}, "more after it"},
		{[]string{"--vector", "@" + filepath.Join(t.TempDir(), "missing.json")}, "--vector: open"},
		{[]string{"--vector-file", filepath.Join(t.TempDir(), "missing.json")}, "--vector-file: open"},
		{[]string{"--vector", "[1, 2, 3]"}, "the query vector has 3 dims, the store's vectors 8"},
	} {
		full := append([]string{"search", "--dir", lcFixture}, tc.args...)
		if _, errOut, code := runCmd(t, full...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestSearch_StoreEmbedderFromEnvironment: a store whose manifest names
// openai or ollama is queried by text with that provider, configured by
// the environment the server reads (base URLs, key), and the store's
// model and dims. Stand-ins speak each wire format.
func TestSearch_StoreEmbedderFromEnvironment(t *testing.T) {
	t.Parallel()
	vec, top := fixtureQuery(t, lcFixture)
	answer := func(w http.ResponseWriter, r *http.Request, body func([]float32) any) {
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		_ = json.NewEncoder(w).Encode(body(vec))
	}
	// The handlers run on the servers' goroutines: guard what they saw.
	var mu sync.Mutex
	var openaiAuth, ollamaModel string
	openai := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		openaiAuth = r.Header.Get("Authorization")
		mu.Unlock()
		answer(w, r, func(v []float32) any {
			return map[string]any{"object": "list", "data": []any{map[string]any{"object": "embedding", "index": 0, "embedding": v}}}
		})
	}))
	defer openai.Close()
	ollama := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string `json:"model"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		ollamaModel = req.Model
		mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"model": req.Model, "embeddings": [][]float32{vec}})
	}))
	defer ollama.Close()

	for _, tc := range []struct {
		provider, model string
		env             map[string]string
	}{
		{"openai", "text-embedding-3-small", map[string]string{"OPENAI_BASE_URL": openai.URL, "OPENAI_API_KEY": "sk-test"}},
		{"ollama", "nomic-embed-text", map[string]string{"OLLAMA_BASE_URL": ollama.URL}},
	} {
		dir := filepath.Join(t.TempDir(), tc.provider)
		if _, errOut, code := runCmd(t, "import-faiss", "--in", lcFixture, "--out", dir, "--exact", "--provider", tc.provider, "--model", tc.model); code != 0 {
			t.Fatalf("import: %s", errOut)
		}
		out, errOut, code := runCmdEnv(t, tc.env, "search", "--dir", dir, "--query", "anything", "--mode", "vector", "--top-k", "1")
		if code != 0 || !strings.Contains(out, "["+top+"]") {
			t.Errorf("%s store: exit %d\n%s%s", tc.provider, code, out, errOut)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if openaiAuth != "Bearer sk-test" || ollamaModel != "nomic-embed-text" {
		t.Errorf("stand-ins saw auth %q, model %q", openaiAuth, ollamaModel)
	}
}

// TestSearch_RawVectorKeepsTheServersAnalyzer: a raw-vector search opens
// a large LangChain folder as the server does, keyword index included,
// which is saved beside the folder for the next open: it must be made by
// the analyzer --keyword-japanese chooses (the server's setting), as
// inspect then reports, not by a default the server would not load.
func TestSearch_RawVectorKeepsTheServersAnalyzer(t *testing.T) {
	t.Parallel()
	const n, dims = store.ExactThreshold + 50, 8
	vecs := make([]float32, n*dims)
	texts := make([]string, n)
	for i := range n {
		vecs[i*dims+i%dims] = 1
		texts[i] = fmt.Sprintf("保証期間は%d年です。ひらがなとカタカナの文書です。", i)
	}
	dir := filepath.Join(t.TempDir(), "lc")
	if err := lcfixture.Write(dir, dims, false, vecs, texts); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"kagome", "bigram"} {
		choice, err := providers.KeywordAnalyzers(flag)
		if err != nil {
			t.Fatal(err)
		}
		an, err := choice.Choose(len(texts), func(i int) string { return texts[i] })
		if err != nil {
			t.Fatal(err)
		}
		tc := struct{ flag, want string }{flag, an.Version()}
		if out, errOut, code := runCmd(t, "search", "--dir", dir, "--vector", "[1,0,0,0,0,0,0,0]", "--top-k", "1", "--keyword-japanese", tc.flag); code != 0 {
			t.Fatalf("search --keyword-japanese %s: exit %d\n%s%s", tc.flag, code, out, errOut)
		}
		out, errOut, code := runCmd(t, "inspect", "--json", dir)
		var rep struct {
			KeywordAnalyzer string `json:"keyword_analyzer"`
		}
		if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.KeywordAnalyzer != tc.want {
			t.Errorf("after --keyword-japanese %s: inspect says %q (exit %d, %v), want %q\n%s", tc.flag, rep.KeywordAnalyzer, code, err, tc.want, errOut)
		}
	}
}
