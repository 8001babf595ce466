package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/sseclient"
)

// TestE2E_Conversation asks a question and then a follow-up that names
// nothing ("What about the battery?") through the real binary in the
// offline extractive mode: sent alone it finds the battery care page, sent
// with the conversation it finds the warranty, because the earlier
// question's words are carried into the retrieval query. Then it rates the
// answer.
func TestE2E_Conversation(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, nil)
	type answer struct {
		ID      string
		Answer  string
		Sources []struct{ ID string }
	}
	ask := func(body string) answer {
		t.Helper()
		resp, b := p.postJSON("/query", body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", body, resp.StatusCode, b)
		}
		var a answer
		decode(t, b, &a)
		if len(a.Sources) == 0 || !strings.HasPrefix(a.ID, "ans_") {
			t.Fatalf("%s: answer %s", body, b)
		}
		return a
	}
	first := ask(`{"messages":[{"role":"user","content":"Is the frame covered by the warranty?"}]}`)
	if first.Sources[0].ID != "warranty-en" {
		t.Fatalf("first question: top source %s, want warranty-en", first.Sources[0].ID)
	}
	alone := ask(`{"question":"What about the battery?"}`)
	if !strings.HasPrefix(alone.Sources[0].ID, "battery-en") {
		t.Fatalf("the follow-up alone: top source %s; the test needs it to find the battery care page", alone.Sources[0].ID)
	}
	conv, _ := json.Marshal(map[string]any{"messages": []map[string]string{
		{"role": "user", "content": "Is the frame covered by the warranty?"},
		{"role": "assistant", "content": first.Answer},
		{"role": "user", "content": "What about the battery?"},
	}})
	followUp := ask(string(conv))
	if followUp.Sources[0].ID != "warranty-en" {
		t.Errorf("follow-up in context: top source %s, want warranty-en", followUp.Sources[0].ID)
	}
	if !strings.Contains(followUp.Answer, "two years") {
		t.Errorf("follow-up answer %q does not quote the battery's warranty", followUp.Answer)
	}
	if followUp.ID == first.ID {
		t.Errorf("two answers share id %s", first.ID)
	}
	if _, ok := p.Stdout.waitRecord(10*time.Second, func(r logRecord) bool {
		return r.str("msg") == "rag: query answered" && r.str("answer_id") == followUp.ID && r["history_turns"] == 2.0
	}); !ok {
		t.Errorf("no query line for %s with its 2 history turns", followUp.ID)
	}

	// Streamed, the id comes on the sources and done events.
	streamBody := strings.TrimSuffix(string(conv), "}") + `,"stream":true}`
	req, _ := http.NewRequest(http.MethodPost, p.URL+"/query", strings.NewReader(streamBody))
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ids := map[string]string{}
	rd := sseclient.NewReader(resp.Body, 0)
	for {
		ev, err := rd.Next()
		if err != nil {
			break
		}
		var data struct {
			ID      string
			Sources []struct{ ID string }
		}
		_ = json.Unmarshal([]byte(ev.Data), &data)
		if ev.Type == "sources" && (len(data.Sources) == 0 || data.Sources[0].ID != "warranty-en") {
			t.Errorf("streamed sources %s", ev.Data)
		}
		ids[ev.Type] = data.ID
	}
	if ids["sources"] == "" || ids["sources"] != ids["done"] {
		t.Errorf("stream ids %v, want one id on sources and done", ids)
	}

	// A bad conversation is a 422 naming the item.
	resp2, b := p.postJSON("/query", `{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}`)
	if resp2.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"loc":["body","messages",1,"role"]`) {
		t.Errorf("a conversation ending with the assistant: %d %s", resp2.StatusCode, b)
	}

	// Feedback: a log line and a counter.
	resp3, b := p.postJSON("/feedback", `{"answer_id":"`+followUp.ID+`","rating":"up","comment":"right page"}`)
	if resp3.StatusCode != http.StatusOK {
		t.Fatalf("feedback: %d %s", resp3.StatusCode, b)
	}
	if _, ok := p.Stdout.waitRecord(10*time.Second, func(r logRecord) bool {
		return r.str("msg") == "feedback" && r.str("answer_id") == followUp.ID && r.str("rating") == "up" && r.str("comment") == "right page"
	}); !ok {
		t.Errorf("no feedback line for %s", followUp.ID)
	}
	_, metrics := p.do(http.MethodGet, "/metrics", nil, "")
	if !strings.Contains(string(metrics), `feedback_total{rating="up"} 1`) {
		t.Errorf("metrics lack feedback_total{rating=\"up\"} 1")
	}
}
