package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

var fast = Policy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}

func TestDo_Outcomes(t *testing.T) {
	t.Parallel()
	final := errors.New("final")
	flaky := errors.New("flaky")
	tests := []struct {
		name        string
		fails       int   // transient failures before the outcome
		outcome     error // returned after the failures
		maxAttempts int   // WithMaxAttempts' cap; 0: none
		wantCalls   int
		wantErr     error
	}{
		{"first try", 0, nil, 0, 1, nil},
		{"two transient then ok", 2, nil, 0, 3, nil},
		{"final error not retried", 0, final, 0, 1, final},
		{"exhausted", 10, nil, 0, 4, flaky},
		{"capped by the context", 10, nil, 2, 2, flaky},
		{"a cap above the policy's", 10, nil, 9, 4, flaky},
		{"one attempt", 10, nil, 1, 1, flaky},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tc.maxAttempts > 0 {
				ctx = WithMaxAttempts(ctx, tc.maxAttempts)
			}
			calls := 0
			err := Do(ctx, fast, func(_ context.Context, n int) error {
				calls++
				if n != calls {
					t.Errorf("attempt number %d, want %d", n, calls)
				}
				if calls <= tc.fails {
					return Transient(flaky, 0)
				}
				return tc.outcome
			})
			if calls != tc.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tc.wantCalls)
			}
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if _, ok := IsTransient(err); ok {
				t.Errorf("returned error still marked transient: %v", err)
			}
		})
	}
}

// The waits below run on synctest's fake clock: time moves only when
// every goroutine in the bubble is blocked, so elapsed times are exact.

func TestDo_RetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls int
		start := time.Now()
		err := Do(context.Background(), fast, func(context.Context, int) error {
			calls++
			if calls == 1 {
				return Transient(errors.New("429"), 15*time.Millisecond)
			}
			return nil
		})
		if err != nil || calls != 2 {
			t.Fatalf("err=%v calls=%d", err, calls)
		}
		if el := time.Since(start); el < 15*time.Millisecond {
			t.Errorf("waited %v, want >= Retry-After 15ms", el)
		}
		// A Retry-After beyond MaxDelay stops at once.
		calls = 0
		start = time.Now()
		err = Do(context.Background(), fast, func(context.Context, int) error {
			calls++
			return Transient(errors.New("429"), time.Hour)
		})
		if err == nil || calls != 1 {
			t.Errorf("long Retry-After: err=%v calls=%d, want error after 1 call", err, calls)
		}
		if el := time.Since(start); el != 0 {
			t.Errorf("long Retry-After waited %v, want no wait", el)
		}
	})
}

func TestDo_ContextCanceledDuringWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		p := Policy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}
		start := time.Now()
		calls := 0
		done := make(chan error)
		go func() {
			done <- Do(ctx, p, func(context.Context, int) error {
				calls++
				return Transient(errors.New("x"), time.Minute)
			})
		}()
		synctest.Wait() // Do is parked in its wait after the first attempt
		cancel()
		err := <-done
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if calls != 1 {
			t.Errorf("calls = %d, want 1", calls)
		}
		if el := time.Since(start); el != 0 {
			t.Errorf("Do returned after %v, want at once on cancel", el)
		}
	})
}

// TestDo_Forever: a start-up load's schedule, 2s doubling to a one-minute
// cap, kept up until success or the context ends.
func TestDo_Forever(t *testing.T) {
	t.Parallel()
	p := Policy{MaxAttempts: Forever, BaseDelay: 2 * time.Second, MaxDelay: time.Minute, NoJitter: true}
	t.Run("until success", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var waits []time.Duration
			p := p
			p.OnRetry = func(_ int, wait time.Duration, _ error) { waits = append(waits, wait) }
			start := time.Now()
			var at []time.Duration
			err := Do(context.Background(), p, func(_ context.Context, n int) error {
				at = append(at, time.Since(start))
				if n <= 10 {
					return Transient(errors.New("not yet"), 0)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := []time.Duration{2, 4, 8, 16, 32, 60, 60, 60, 60, 60}
			if len(waits) != len(want) {
				t.Fatalf("waits %v, want %v seconds", waits, want)
			}
			var sum time.Duration
			for i, w := range want {
				if waits[i] != w*time.Second {
					t.Fatalf("wait %d = %v, want %v", i+1, waits[i], w*time.Second)
				}
				sum += w * time.Second
				if at[i+1] != sum {
					t.Fatalf("attempt %d at %v, want %v", i+2, at[i+1], sum)
				}
			}
		})
	})
	t.Run("until ctx ends", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			calls := 0
			err := Do(ctx, p, func(context.Context, int) error {
				calls++
				return Transient(errors.New("down"), 0)
			})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want the deadline", err)
			}
			// Attempts at 0, 2, 6, 14, 30, 62 s, then every minute up to 542 s.
			if calls != 14 {
				t.Errorf("calls = %d, want 14", calls)
			}
		})
	})
	t.Run("final error", func(t *testing.T) {
		final := errors.New("bad config")
		calls := 0
		err := Do(context.Background(), p, func(context.Context, int) error { calls++; return final })
		if !errors.Is(err, final) || calls != 1 {
			t.Errorf("err = %v after %d calls, want the final error after 1", err, calls)
		}
	})
}

func TestDo_OnRetry(t *testing.T) {
	t.Parallel()
	var got []string
	p := Policy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
		OnRetry: func(n int, wait time.Duration, err error) {
			if wait <= 0 || wait > time.Millisecond {
				t.Errorf("wait %v outside (0,1ms]", wait)
			}
			got = append(got, fmt.Sprintf("%d:%v", n, err))
		}}
	err := Do(context.Background(), p, func(context.Context, int) error { return Transient(errors.New("busy"), 0) })
	if err == nil || strings.Join(got, ",") != "1:busy,2:busy" {
		t.Fatalf("err = %v, OnRetry calls = %v, want 1:busy,2:busy", err, got)
	}
}

func TestBackoff_FullJitterBounds(t *testing.T) {
	t.Parallel()
	p := Policy{BaseDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond}
	for n, ceil := range map[int]time.Duration{1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 3: 40 * time.Millisecond, 9: 50 * time.Millisecond} {
		var maxSeen time.Duration
		for range 500 {
			d := Backoff(p, n)
			if d < 0 || d > ceil {
				t.Fatalf("Backoff(n=%d) = %v outside [0,%v]", n, d, ceil)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < ceil/2 {
			t.Errorf("n=%d: max of 500 draws %v, not spread up to %v", n, maxSeen, ceil)
		}
	}
}

func TestBackoff_NoJitter(t *testing.T) {
	t.Parallel()
	p := Policy{BaseDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond, NoJitter: true}
	for n, want := range map[int]time.Duration{1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 3: 40 * time.Millisecond, 4: 50 * time.Millisecond, 100: 50 * time.Millisecond} {
		if d := Backoff(p, n); d != want {
			t.Errorf("Backoff(n=%d) = %v, want %v", n, d, want)
		}
	}
}

func TestRetryAfter_Forms(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		h    map[string]string
		want time.Duration
	}{
		{map[string]string{"Retry-After": "2"}, 2 * time.Second},
		{map[string]string{"Retry-After": "0.5"}, 500 * time.Millisecond},
		{map[string]string{"Retry-After": now.Add(3 * time.Second).Format(http.TimeFormat)}, 3 * time.Second},
		{map[string]string{"Retry-After-Ms": "150", "Retry-After": "9"}, 150 * time.Millisecond},
		{map[string]string{"Retry-After": "soon"}, 0},
		{map[string]string{"Retry-After": "-3"}, 0},
		{nil, 0},
		// Too long to be a Duration: the most, so a policy stops, not a
		// negative wait taken for none (the second diff review).
		{map[string]string{"Retry-After": "1e11"}, maxRetryAfter},
		{map[string]string{"Retry-After": "99999999999"}, maxRetryAfter},
		{map[string]string{"Retry-After": "Inf"}, maxRetryAfter},
		{map[string]string{"Retry-After-Ms": "1e17"}, maxRetryAfter},
		{map[string]string{"Retry-After": "Fri, 01 Jan 3000 00:00:00 GMT"}, maxRetryAfter},
		{map[string]string{"Retry-After": "NaN"}, 0},
		{map[string]string{"Retry-After-Ms": "NaN", "Retry-After": "2"}, 2 * time.Second},
	}
	for _, tc := range tests {
		h := http.Header{}
		for k, v := range tc.h {
			h.Set(k, v)
		}
		if got := RetryAfter(h, now); got != tc.want {
			t.Errorf("RetryAfter(%v) = %v, want %v", tc.h, got, tc.want)
		}
	}
}

func TestReason_ScrubsSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
		notWant          []string
	}{
		{"openai", `{"error":{"message":"Incorrect API key provided: sk-proj-abcdefgh1234. Find yours","code":"invalid_api_key"}}`, "invalid_api_key: Incorrect API key provided: sk-***", []string{"abcdefgh1234"}},
		{"ollama", `{"error":"model \"x\" not found"}`, `model "x" not found`, nil},
		{"aws", `{"message":"The security token included in the request is invalid."}`, "The security token", nil},
		{"bearer echo", `Authorization: Bearer abc.def.ghi rejected`, "Bearer ***", []string{"abc.def"}},
		{"configured key", `{"message":"key MYSECRETKEY1 bad"}`, "key *** bad", []string{"MYSECRETKEY1"}},
		{"akid", `{"Message":"AKIAABCDEFGHIJKLMNOP denied"}`, "AKIA***", []string{"ABCDEFGHIJKLMNOP"}},
		{"html", `<html>bad gateway</html>`, "Bad Gateway", nil},
		{"long", `{"message":"` + strings.Repeat("x", 500) + `"}`, "…", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Reason(http.StatusBadGateway, []byte(tc.body), "MYSECRETKEY1")
			if !strings.Contains(got, tc.want) {
				t.Errorf("Reason = %q, want it to contain %q", got, tc.want)
			}
			for _, nw := range tc.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("Reason = %q leaks %q", got, nw)
				}
			}
			if n := len([]rune(got)); n > maxReasonRunes {
				t.Errorf("reason is %d runes", n)
			}
		})
	}
}

func TestSend_Classifies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status        int
		header        map[string]string
		wantErr       bool
		wantTransient bool
		wantAfter     time.Duration
	}{
		{200, nil, false, false, 0},
		{400, nil, true, false, 0},
		{401, nil, true, false, 0},
		{429, map[string]string{"Retry-After": "1"}, true, true, time.Second},
		{500, nil, true, true, 0},
		{501, nil, true, false, 0},
		{503, nil, true, true, 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, `{"error":{"message":"nope"}}`)
			}))
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			resp, err := Send(context.Background(), srv.Client(), "test", req)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err == nil {
				resp.Body.Close()
				return
			}
			after, tr := IsTransient(err)
			if tr != tc.wantTransient || after != tc.wantAfter {
				t.Errorf("transient=%v after=%v, want %v %v", tr, after, tc.wantTransient, tc.wantAfter)
			}
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != tc.status || he.Provider != "test" || he.Reason != "nope" {
				t.Errorf("HTTPError = %+v", he)
			}
		})
	}
}

func TestSend_TransportErrorTransient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	_, err := Send(context.Background(), http.DefaultClient, "test", req)
	if _, ok := IsTransient(err); !ok {
		t.Errorf("connection refused not transient: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if _, err := Send(ctx, http.DefaultClient, "test", req); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v", err)
	}
}

func TestDo_CountsAttemptsAgainstServer(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(500)
	}))
	defer srv.Close()
	err := Do(context.Background(), fast, func(ctx context.Context, _ int) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := Send(ctx, srv.Client(), "test", req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 500 {
		t.Fatalf("err = %v", err)
	}
	if hits.Load() != 4 {
		t.Errorf("server saw %d attempts, want 4", hits.Load())
	}
	if !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("err %q does not count attempts", err)
	}
}
