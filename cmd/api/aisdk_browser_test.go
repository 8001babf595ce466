package main

import (
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const aisdkDir = "../../scripts/aisdk"

// aisdkPage is the HTML that loads the bundled useChat page.
const aisdkPage = `<!doctype html><html><head><meta charset="utf-8"><title>chat</title></head>` +
	`<body><div id="root"></div><script src="/bundle.js"></script></body></html>`

// TestAISDK_Browser: the Vercel AI SDK's useChat (DefaultChatTransport,
// credentials included, the API key as a header) in headless Chromium, on
// a page served from another origin than the API, asks a question and a
// follow-up through POST /chat; the page must render both streamed answers,
// their sources, and the token usage the finish part carries when the
// generator counts tokens (none with the offline extractive one).
func TestAISDK_Browser(t *testing.T) {
	t.Parallel()
	env := browserEnv(t)
	node, _ := nodeModules(t, aisdkDir, "ai", "@ai-sdk/react", "react", "react-dom", "esbuild")
	dir, err := filepath.Abs(aisdkDir)
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "bundle.js")
	if _, err := runNode(t, node, dir, "build.mjs", bundle); err != nil {
		t.Fatalf("esbuild: %v", err)
	}
	js, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	pageSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(aisdkPage))
		case "/bundle.js":
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			_, _ = w.Write(js)
		case "/favicon.ico":
			w.WriteHeader(http.StatusNoContent) // not a 404 in the console
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(pageSrv.Close) // after the parallel subtests, unlike defer
	_, port, _ := net.SplitHostPort(pageSrv.Listener.Addr().String())
	pageOrigin := "http://localhost:" + port // another origin than the API's 127.0.0.1
	upstream := httptest.NewServer(usageStandIn{})
	t.Cleanup(upstream.Close)

	type usage struct{ Input, Output, Total int }
	// shown is what the page must show of a message: text it contains, a
	// source it cites ("": any) and its usage (nil: none).
	type shown struct {
		text, source string
		usage        *usage
	}
	const question, followUp = "How long is the frame covered by the warranty?", "How long does a full charge take?"
	tests := []struct {
		name    string
		env     map[string]string
		answers [2]shown
	}{
		{"extractive, no counts", nil, [2]shown{{"ten years", "warranty-en", nil}, {"four hours", "charging-en", nil}}},
		// usageStandIn counts 412 + 17 tokens a call: the question is one
		// call, the follow-up two (its rewrite into a standalone question,
		// then the answer).
		{"upstream counts tokens", map[string]string{"LLM": "openai", "OPENAI_BASE_URL": upstream.URL + "/v1", "OPENAI_API_KEY": "stand-in"},
			[2]shown{{"Ten years [1].", "warranty-en", &usage{412, 17, 429}}, {"Ten years [1].", "", &usage{824, 34, 858}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			overrides := map[string]string{"CORS_ALLOW_ORIGINS": pageOrigin, "API_KEYS": "browser-key"}
			maps.Copy(overrides, tc.env)
			p := readyFixtureServer(t, overrides)
			var rep struct {
				Messages []struct {
					Role    string `json:"role"`
					Text    string `json:"text"`
					Sources []struct {
						Kind, ID, Title string
					} `json:"sources"`
					Usage *usage `json:"usage"`
				} `json:"messages"`
				Status        string   `json:"status"`
				ChatError     string   `json:"chatError"`
				ConsoleErrors []string `json:"consoleErrors"`
			}
			pageURL := pageOrigin + "/?api=" + p.URL + "&key=browser-key"
			runBrowserScript(t, env, &rep, "aisdk.mjs", pageURL, question, followUp)
			if rep.Status != "ready" || rep.ChatError != "" || len(rep.ConsoleErrors) > 0 {
				t.Errorf("chat status %q, error %q, console errors %q", rep.Status, rep.ChatError, rep.ConsoleErrors)
			}
			if len(rep.Messages) != 4 {
				t.Fatalf("rendered %d messages, want 4: %+v", len(rep.Messages), rep.Messages)
			}
			for i, want := range []struct {
				role string
				shown
			}{
				{"user", shown{text: question}},
				{"assistant", tc.answers[0]},
				{"user", shown{text: followUp}},
				{"assistant", tc.answers[1]},
			} {
				m := rep.Messages[i]
				ids := []string{}
				for _, s := range m.Sources {
					ids = append(ids, s.ID)
					if s.Kind != "document" || !strings.HasSuffix(s.Title, ".md") {
						t.Errorf("message %d: source %+v, want a document titled by its file", i, s)
					}
				}
				if m.Role != want.role || !strings.Contains(m.Text, want.text) || (want.source != "" && !slices.Contains(ids, want.source)) {
					t.Errorf("message %d: %s %q sources %v; want %s containing %q citing %q", i, m.Role, m.Text, ids, want.role, want.text, want.source)
				}
				if (m.Usage == nil) != (want.usage == nil) || (m.Usage != nil && *m.Usage != *want.usage) {
					t.Errorf("message %d: usage %+v, want %+v", i, m.Usage, want.usage)
				}
			}
			// The turns went through POST /chat after a CORS preflight (the key is
			// a custom header), which the CORS middleware answers before routing.
			for _, want := range []struct{ method, route string }{{"OPTIONS", "unmatched"}, {"POST", "/chat"}} {
				if _, ok := p.Stdout.waitRecord(10*time.Second, func(r logRecord) bool {
					return r.str("msg") == "request" && r.str("route") == want.route && r.str("method") == want.method && r["status"] == float64(200)
				}); !ok {
					t.Errorf("the server logged no %s %s answered 200", want.method, want.route)
				}
			}
		})
	}
}
