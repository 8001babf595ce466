package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vendor0919/api/internal/sseclient"
)

// kind is one kind of request the soak sends; do sends the n-th one and
// returns an error unless it was answered in full and as documented.
type kind struct {
	name string
	do   func(ctx context.Context, c *http.Client, base string, n int) error
}

var (
	kindSearch      = kind{"search", doSearch}
	kindQuery       = kind{"query", doQuery}
	kindQueryStream = kind{"query_stream", doQueryStream}
	kindChatStream  = kind{"chat_stream", doChatStream}
	kindHealth      = kind{"health", doGet("/health")}
	kindReady       = kind{"ready", doGet("/ready")}
)

// mix is the traffic's make-up, repeated: of every ten requests four are
// searches, two plain queries, one streamed query, one streamed chat
// completion, one /health and one /ready.
var mix = []kind{
	kindSearch, kindQuery, kindSearch, kindQueryStream, kindHealth,
	kindSearch, kindQuery, kindChatStream, kindSearch, kindReady,
}

// kindNames lists the kinds in report order.
var kindNames = []string{"search", "query", "query_stream", "chat_stream", "health", "ready", "metrics"}

// questions vary the embedded text from request to request.
var questions = []string{
	"How should the battery be stored over winter?",
	"How long is the warranty on the frame?",
	"What is the right tire pressure?",
	"When do the brake pads need replacing?",
	"How long does shipping take?",
	"Can I return an unused bike?",
	"バッテリーの保管方法は？",
	"保証期間はどのくらいですか？",
}

func question(n int) string { return questions[n%len(questions)] }

// post sends body as JSON and returns the response, whose status must be 200.
func post(ctx context.Context, c *http.Client, url string, body any) (*http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		_ = resp.Body.Close()
		return nil, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	return resp, nil
}

// readJSON reads a whole JSON body (up to maxBody) into v.
func readJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if len(b) > maxBody {
		return fmt.Errorf("body over %d bytes", maxBody)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	return nil
}

func doSearch(ctx context.Context, c *http.Client, base string, n int) error {
	resp, err := post(ctx, c, base+"/search", map[string]any{"query": question(n), "top_k": 5})
	if err != nil {
		return err
	}
	var out struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := readJSON(resp, &out); err != nil {
		return err
	}
	if len(out.Results) == 0 {
		return errors.New("no results")
	}
	return nil
}

func doQuery(ctx context.Context, c *http.Client, base string, n int) error {
	resp, err := post(ctx, c, base+"/query", map[string]any{"question": question(n), "top_k": 3})
	if err != nil {
		return err
	}
	var out struct {
		Answer  string            `json:"answer"`
		Sources []json.RawMessage `json:"sources"`
	}
	if err := readJSON(resp, &out); err != nil {
		return err
	}
	if out.Answer == "" || len(out.Sources) == 0 {
		return errors.New("empty answer or no sources")
	}
	return nil
}

// doQueryStream expects sources, deltas and a final done event, no error
// event, then the end of the body.
func doQueryStream(ctx context.Context, c *http.Client, base string, n int) error {
	resp, err := post(ctx, c, base+"/query", map[string]any{"question": question(n), "top_k": 3, "stream": true})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	r := sseclient.NewReader(io.LimitReader(resp.Body, maxBody), 0)
	var types []string
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("stream after %v: %w", types, err)
		}
		if ev.Type == "error" {
			return fmt.Errorf("error event: %s", ev.Data)
		}
		types = append(types, ev.Type)
	}
	if len(types) < 2 || types[0] != "sources" || types[len(types)-1] != "done" {
		return fmt.Errorf("stream events %v, want sources ... done", types)
	}
	return nil
}

// doChatStream expects chat.completion.chunk data lines, no error object,
// and data: [DONE] last.
func doChatStream(ctx context.Context, c *http.Client, base string, n int) error {
	resp, err := post(ctx, c, base+"/v1/chat/completions", map[string]any{
		"model": "vendor0919-rag", "stream": true,
		"messages": []any{map[string]any{"role": "user", "content": question(n)}},
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	r := sseclient.NewReader(io.LimitReader(resp.Body, maxBody), 0)
	chunks, done := 0, false
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("stream after %d chunks: %w", chunks, err)
		}
		if done {
			return errors.New("data after [DONE]")
		}
		if ev.Data == "[DONE]" {
			done = true
			continue
		}
		var chunk struct {
			Object string          `json:"object"`
			Error  json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal([]byte(ev.Data), &chunk); err != nil {
			return fmt.Errorf("chunk %d: %w", chunks, err)
		}
		if chunk.Error != nil {
			return fmt.Errorf("error in stream: %s", chunk.Error)
		}
		if chunk.Object != "chat.completion.chunk" {
			return fmt.Errorf("chunk %d: object %q", chunks, chunk.Object)
		}
		chunks++
	}
	if !done || chunks < 2 {
		return fmt.Errorf("%d chunks, [DONE] %v: want chunks then [DONE]", chunks, done)
	}
	return nil
}

// doGet answers GET path, which must be 200 with a JSON object.
func doGet(path string) func(ctx context.Context, c *http.Client, base string, n int) error {
	return func(ctx context.Context, c *http.Client, base string, _ int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			_ = resp.Body.Close()
			return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
		}
		var v map[string]any
		return readJSON(resp, &v)
	}
}
