package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/rag"
)

func TestFeedback_RecordsLogLineAndMetric(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	id := rag.NewAnswerID()
	long := strings.Repeat("é", loggedCommentChars+20)
	for _, body := range []string{
		`{"answer_id":"` + id + `","rating":"up"}`,
		`{"answer_id":"` + id + `","rating":"down","comment":"` + long + `"}`,
		`{"answer_id":"` + id + `","rating":"down","comment":null}`,
	} {
		rec := ts.do("POST", "/feedback", body, nil)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", body, rec.Code, rec.Body)
		}
		if got := decode(t, rec); got["status"] != "recorded" || got["answer_id"] != id {
			t.Errorf("body %v", got)
		}
	}
	var lines []map[string]any
	for _, l := range strings.Split(ts.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "feedback" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("%d feedback lines; logs:\n%s", len(lines), ts.logs)
	}
	l := lines[1]
	if l["answer_id"] != id || l["rating"] != "down" || l["comment_len"] != float64(loggedCommentChars+20) ||
		l["comment"] != strings.Repeat("é", loggedCommentChars) || l["req_id"] == nil {
		t.Errorf("feedback line %v", l)
	}
	if lines[0]["comment"] != "" || lines[0]["comment_len"] != 0.0 {
		t.Errorf("no comment logged as %v", lines[0])
	}
	metrics := ts.do("GET", "/metrics", "", nil).Body.String()
	for _, want := range []string{`feedback_total{rating="up"} 1`, `feedback_total{rating="down"} 2`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestFeedback_Validation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	id := rag.NewAnswerID()
	loc := func(name string) []any { return []any{"body", name} }
	tests := []struct {
		name string
		body string
		want []ValidationItem
	}{
		{"empty object", `{}`, []ValidationItem{{Type: "missing", Loc: loc("answer_id")}, {Type: "missing", Loc: loc("rating")}}},
		{"malformed id", `{"answer_id":"ans_123","rating":"up"}`, []ValidationItem{{Type: "string_pattern_mismatch", Loc: loc("answer_id"), Msg: "String should match pattern '^ans_[a-z2-7]{24}$'"}}},
		{"unknown rating", `{"answer_id":"` + id + `","rating":"meh"}`, []ValidationItem{{Type: "literal_error", Loc: loc("rating"), Msg: "Input should be 'up' or 'down'"}}},
		{"comment too long", `{"answer_id":"` + id + `","rating":"up","comment":"` + strings.Repeat("x", maxFeedbackComment+1) + `"}`,
			[]ValidationItem{{Type: "string_too_long", Loc: loc("comment"), Msg: "String should have at most 2000 characters"}}},
		{"wrong types", `{"answer_id":1,"rating":true,"comment":[]}`, []ValidationItem{{Type: "string_type", Loc: loc("answer_id")}, {Type: "string_type", Loc: loc("rating")}, {Type: "string_type", Loc: loc("comment")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do("POST", "/feedback", tt.body, nil)
			if rec.Code != 422 {
				t.Fatalf("status %d; body %s", rec.Code, rec.Body)
			}
			checkItems(t, rec.Body.Bytes(), tt.want)
		})
	}
	if strings.Contains(ts.logs.String(), `"msg":"feedback"`) {
		t.Errorf("a rejected rating was recorded")
	}
}

// TestFeedback_PatternIsRags keeps the id check in step with rag's ids.
func TestFeedback_PatternIsRags(t *testing.T) {
	t.Parallel()
	for range 20 {
		if id := rag.NewAnswerID(); !answerIDPattern.MatchString(id) || !rag.ValidAnswerID(id) {
			t.Fatalf("%s", id)
		}
	}
	for _, bad := range []string{"ans_ABCDEFGHIJKLMNOPQRSTUVWX", "ans_abc", "x" + rag.NewAnswerID()} {
		if answerIDPattern.MatchString(bad) != rag.ValidAnswerID(bad) {
			t.Errorf("%s: pattern and rag disagree", bad)
		}
	}
}

func TestFeedback_NeedsAPIKey(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.APIKeys = []string{"k"} })
	body := `{"answer_id":"` + rag.NewAnswerID() + `","rating":"up"}`
	if rec := ts.do("POST", "/feedback", body, nil); rec.Code != 401 {
		t.Errorf("without a key: %d", rec.Code)
	}
	if rec := ts.do("POST", "/feedback", body, map[string]string{"Authorization": "Bearer k"}); rec.Code != 200 {
		t.Errorf("with the key: %d %s", rec.Code, rec.Body)
	}
}
