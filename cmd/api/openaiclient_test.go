package main

// The OpenAI-compatible routes as the frontend's tools consume them: the
// official openai npm client (pinned in scripts/openaiclient, npm ci by
// scripts/install-tools.sh) against the real binary.

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/testproc"
)

const openaiClientDir = "../../scripts/openaiclient"

// nodeModules returns node and dir's node_modules holding pkgs, or skips
// (fails with VENDOR0919_REQUIRE_TOOLS=1) when any is missing.
func nodeModules(t *testing.T, dir string, pkgs ...string) (node, modules string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short skips tests that run node")
	}
	missing := func(format string, args ...any) { t.Helper(); testproc.Missing(t, format, args...) }
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not found: %v", err)
	}
	modules, err = filepath.Abs(filepath.Join(dir, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range pkgs {
		if _, err := os.Stat(filepath.Join(modules, pkg, "package.json")); err != nil {
			missing("%s not installed in %s: %v", pkg, dir, err)
		}
	}
	return node, modules
}

func TestOpenAIClient_AgainstServer(t *testing.T) {
	t.Parallel()
	node, _ := nodeModules(t, openaiClientDir, "openai")
	dir, err := filepath.Abs(openaiClientDir)
	if err != nil {
		t.Fatal(err)
	}
	p := readyFixtureServer(t, map[string]string{"API_KEYS": "client-key"})
	out, err := runNode(t, node, dir, "check.mjs", p.URL, "client-key")
	if err != nil {
		t.Fatalf("node check.mjs: %v", err)
	}
	type caught struct {
		Typed  bool    `json:"typed"`
		Name   string  `json:"name"`
		Status int     `json:"status"`
		Code   string  `json:"code"`
		Type   string  `json:"type"`
		Param  *string `json:"param"`
	}
	var rep struct {
		Error string `json:"error"`
		Chat  struct {
			ID, Object, Content, Finish string
			Sources                     []string
		} `json:"chat"`
		Stream struct {
			Chunks  int      `json:"chunks"`
			IDs     []string `json:"ids"`
			Text    string   `json:"text"`
			Sources []string `json:"sources"`
			Finish  string   `json:"finish"`
		} `json:"stream"`
		Models     []string `json:"models"`
		Model      string   `json:"model"`
		Embeddings struct {
			Base64       [][]float64 `json:"base64"`
			Float        [][]float64 `json:"float"`
			PromptTokens int         `json:"promptTokens"`
			TotalTokens  int         `json:"totalTokens"`
		} `json:"embeddings"`
		Unauthorized, Invalid, UnknownModel, UnknownRetrieve caught
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	if rep.Error != "" {
		t.Fatalf("the client failed: %s", rep.Error)
	}
	if !strings.HasPrefix(rep.Chat.ID, "ans_") || rep.Chat.Object != "chat.completion" || rep.Chat.Finish != "stop" ||
		!strings.Contains(rep.Chat.Content, "ten years") || len(rep.Chat.Sources) == 0 || rep.Chat.Sources[0] != "warranty-en" {
		t.Errorf("chat: %+v", rep.Chat)
	}
	// The completion's id is the answer's: /feedback takes it.
	if resp, b := p.do("POST", "/feedback", http.Header{"Authorization": {"Bearer client-key"}, "Content-Type": {"application/json"}},
		`{"answer_id":"`+rep.Chat.ID+`","rating":"up"}`); resp.StatusCode != http.StatusOK {
		t.Errorf("feedback on the completion's id: %d %s", resp.StatusCode, b)
	}
	if rep.Stream.Chunks < 3 || len(rep.Stream.IDs) != 1 || rep.Stream.Finish != "stop" ||
		!strings.Contains(rep.Stream.Text, "four hours") || !slices.Contains(rep.Stream.Sources, "charging-en") {
		t.Errorf("stream: %+v", rep.Stream)
	}
	if !slices.Contains(rep.Models, "vendor0919-rag") || !slices.Contains(rep.Models, "hash-v1") {
		t.Errorf("models: %v", rep.Models)
	}
	if rep.Model != "vendor0919-rag" {
		t.Errorf("models.retrieve: %q", rep.Model)
	}
	if m := rep.UnknownRetrieve; !m.Typed || m.Status != 404 || m.Code != "model_not_found" {
		t.Errorf("models.retrieve of an unknown id: %+v", m)
	}
	e := rep.Embeddings
	if len(e.Base64) != 2 || len(e.Float) != 2 || len(e.Float[0]) == 0 || len(e.Base64[0]) != len(e.Float[0]) {
		t.Fatalf("embeddings: %d/%d vectors", len(e.Base64), len(e.Float))
	}
	if want := 4; e.PromptTokens != want || e.TotalTokens != want { // "battery", "charger": 7 runes, 2 tokens each
		t.Errorf("embeddings usage: prompt %d, total %d; want %d estimated", e.PromptTokens, e.TotalTokens, want)
	}
	for i := range e.Float {
		for j := range e.Float[i] {
			if math.Abs(e.Base64[i][j]-e.Float[i][j]) > 1e-6 {
				t.Fatalf("embedding %d dim %d: base64 %v, float %v", i, j, e.Base64[i][j], e.Float[i][j])
			}
		}
	}
	if u := rep.Unauthorized; !u.Typed || u.Status != 401 || u.Code != "invalid_api_key" {
		t.Errorf("401: %+v", u)
	}
	if v := rep.Invalid; !v.Typed || v.Status != 422 || v.Param == nil || *v.Param != "messages.0.role" {
		t.Errorf("422: %+v", v)
	}
	if m := rep.UnknownModel; !m.Typed || m.Status != 404 || m.Code != "model_not_found" {
		t.Errorf("404: %+v", m)
	}
}

// usageStandIn is an OpenAI chat completions server that counts tokens as
// OpenAI does: on the completion, and on a last chunk with no choices only
// when the request's stream_options.include_usage asks for it.
type usageStandIn struct{}

func (usageStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Stream        bool `json:"stream"`
		StreamOptions struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req) != nil {
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	const usage = `{"prompt_tokens":412,"completion_tokens":17,"total_tokens":429}`
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"c1","object":"chat.completion","model":"gpt-stand-in","choices":[{"index":0,"message":{"role":"assistant","content":"Ten years [1]."},"finish_reason":"stop"}],"usage":`+usage+`}`)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for _, d := range []string{
		`{"id":"c1","object":"chat.completion.chunk","model":"gpt-stand-in","choices":[{"index":0,"delta":{"content":"Ten years"},"finish_reason":null}]}`,
		`{"id":"c1","object":"chat.completion.chunk","model":"gpt-stand-in","choices":[{"index":0,"delta":{"content":" [1]."},"finish_reason":null}]}`,
		`{"id":"c1","object":"chat.completion.chunk","model":"gpt-stand-in","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
	} {
		_, _ = io.WriteString(w, "data: "+d+"\n\n")
	}
	if req.StreamOptions.IncludeUsage {
		_, _ = io.WriteString(w, `data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-stand-in","choices":[],"usage":`+usage+"}\n\n")
	}
	_, _ = io.WriteString(w, "data: [DONE]\n\n")
}

// TestOpenAIClient_Usage: with a generator that counts tokens, the official
// client reads the counts where OpenAI puts them. The server asks its
// upstream for the streamed counts itself, so a streamed answer has them
// too when the client asks.
func TestOpenAIClient_Usage(t *testing.T) {
	t.Parallel()
	node, _ := nodeModules(t, openaiClientDir, "openai")
	dir, err := filepath.Abs(openaiClientDir)
	if err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(usageStandIn{})
	t.Cleanup(upstream.Close)
	p := readyFixtureServer(t, map[string]string{"API_KEYS": "client-key",
		"LLM": "openai", "OPENAI_BASE_URL": upstream.URL + "/v1", "OPENAI_API_KEY": "stand-in"})
	out, err := runNode(t, node, dir, "usage.mjs", p.URL, "client-key")
	if err != nil {
		t.Fatalf("node usage.mjs: %v", err)
	}
	type usage struct {
		Prompt     int `json:"prompt_tokens"`
		Completion int `json:"completion_tokens"`
		Total      int `json:"total_tokens"`
	}
	type stream struct {
		Text        string `json:"text"`
		Usage       *usage `json:"usage"`
		UsageChunks int    `json:"usageChunks"`
		LastChoices int    `json:"lastChoices"`
	}
	var rep struct {
		Error      string `json:"error"`
		Completion struct {
			Content string `json:"content"`
			Usage   *usage `json:"usage"`
		} `json:"completion"`
		WithUsage stream `json:"withUsage"`
		Without   stream `json:"without"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	if rep.Error != "" {
		t.Fatalf("the client failed: %s", rep.Error)
	}
	want := usage{Prompt: 412, Completion: 17, Total: 429}
	if c := rep.Completion; c.Content != "Ten years [1]." || c.Usage == nil || *c.Usage != want {
		t.Errorf("completion: %+v", c)
	}
	if s := rep.WithUsage; s.Text != "Ten years [1]." || s.Usage == nil || *s.Usage != want || s.UsageChunks != 1 || s.LastChoices != 0 {
		t.Errorf("stream with include_usage: %+v", s)
	}
	if s := rep.Without; s.Text != "Ten years [1]." || s.Usage != nil || s.LastChoices != 1 {
		t.Errorf("stream without include_usage: %+v", s)
	}
}
