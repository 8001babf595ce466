package retry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// maxReasonRunes caps HTTPError.Reason; maxErrorBody caps how much of an
// error body is read.
const (
	maxReasonRunes = 200
	maxErrorBody   = 8 << 10
)

// HTTPError is a non-2xx answer from an upstream provider. Reason is short
// and scrubbed of secrets; the raw body is never kept.
type HTTPError struct {
	Provider string // "openai", "ollama", "bedrock", ...
	Status   int
	Reason   string
}

// Error returns "provider: status N: reason".
func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s: status %d: %s", e.Provider, e.Status, e.Reason)
}

// RetryableStatus reports whether an HTTP status is worth retrying: 408,
// 429 and 5xx other than 501.
func RetryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests ||
		(code >= 500 && code <= 599 && code != http.StatusNotImplemented)
}

// Send performs one HTTP attempt. On a 2xx answer it returns the response,
// whose body the caller must close. Otherwise it returns a nil response and
// an error: ctx.Err() when ctx is done; a transport failure marked
// [Transient]; or an [*HTTPError], marked [Transient] with its Retry-After
// when [RetryableStatus] holds. ctx is the caller's context, used to tell
// cancellation from a transport failure; req carries its own (per-attempt)
// context. secrets are replaced by "***" in errors.
func Send(ctx context.Context, client *http.Client, provider string, req *http.Request, secrets ...string) (*http.Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, Transient(fmt.Errorf("%s: send: %s", provider, scrub(err.Error(), secrets)), 0)
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	herr := &HTTPError{Provider: provider, Status: resp.StatusCode, Reason: Reason(resp.StatusCode, body, secrets...)}
	if RetryableStatus(resp.StatusCode) {
		return nil, Transient(herr, RetryAfter(resp.Header, time.Now()))
	}
	return nil, herr
}

// RetryAfter reads how long the server asked to wait: "retry-after-ms"
// (OpenAI, Azure) or "Retry-After" as seconds or an HTTP date. It returns 0
// when neither is present or valid, and at most maxRetryAfter (a wait no
// policy honours: it stops at once).
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return seconds(ms / 1000)
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return seconds(s)
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

// maxRetryAfter bounds what RetryAfter returns: a year, far above any
// policy's MaxRetryAfter, so a longer wait still stops the retries.
const maxRetryAfter = 365 * 24 * time.Hour

// seconds converts a positive count of seconds to a Duration, capped at
// maxRetryAfter: 1e11 seconds would overflow to a negative Duration, read
// as "no wait asked" and retried at once. NaN is no wait.
func seconds(s float64) time.Duration {
	switch {
	case math.IsNaN(s) || s <= 0:
		return 0
	case s >= maxRetryAfter.Seconds():
		return maxRetryAfter
	}
	return time.Duration(s * float64(time.Second))
}

// Reason extracts a short, secret-free reason from an error body: the
// message of a JSON error (OpenAI {"error":{"message"}}, Ollama
// {"error":"..."}, AWS {"message"} or {"Message"}, FastAPI {"detail"}),
// else short plain text, else the status text.
func Reason(status int, body []byte, secrets ...string) string {
	msg := jsonMessage(body)
	if msg == "" {
		txt := strings.TrimSpace(string(body))
		if txt != "" && !strings.HasPrefix(txt, "<") && !strings.HasPrefix(txt, "{") && len(txt) < 1000 {
			msg = txt
		}
	}
	if msg == "" {
		msg = http.StatusText(status)
		if msg == "" {
			msg = "unknown status"
		}
	}
	return Scrub(msg, secrets...)
}

func jsonMessage(body []byte) string {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	if e, ok := v["error"]; ok {
		switch e := e.(type) {
		case string:
			return e
		case map[string]any:
			if m, ok := e["message"].(string); ok {
				if c, ok := e["code"].(string); ok && c != "" {
					return c + ": " + m
				}
				return m
			}
		}
	}
	for _, k := range []string{"message", "Message", "detail"} {
		if m, ok := v[k].(string); ok {
			return m
		}
	}
	return ""
}

var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`(?i)\bbearer\s+[^\s"',]+`), "Bearer ***"},
	{regexp.MustCompile(`\bsk-[A-Za-z0-9_\-\*\.]{4,}`), "sk-***"},
	{regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{12,}`), "$1***"},
	{regexp.MustCompile(`(?i)\b(api[-_ ]?key|x-api-key|api-key|token|secret|password)(["']?\s*[:=]\s*["']?)[^\s"',;]+`), "$1$2***"},
}

// Scrub removes secrets from s: each non-empty string in secrets, bearer
// tokens, OpenAI-style "sk-" keys, AWS access key ids and key=value pairs
// naming a key, token, secret or password. The result is single-line and
// at most 200 runes.
func Scrub(s string, secrets ...string) string { return scrub(s, secrets) }

func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if rs := []rune(s); len(rs) > maxReasonRunes {
		s = string(rs[:maxReasonRunes-1]) + "…"
	}
	return s
}
