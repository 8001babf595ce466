package main

// The OpenAI-compatible routes as the frontend's tools consume them: the
// official openai npm client (pinned in scripts/openaiclient, npm ci by
// scripts/install-tools.sh) against the real binary.

import (
	"encoding/json"
	"math"
	"net/http"
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
			Base64 [][]float64 `json:"base64"`
			Float  [][]float64 `json:"float"`
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
