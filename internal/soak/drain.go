package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Drain bounds: clients, the requests they may send in all, and how many
// must be answered before the signal.
const (
	drainClients      = 8
	drainMaxRequests  = 6000
	drainBeforeSignal = 200
)

// DrainResult is what DrainUnderLoad saw.
type DrainResult struct {
	// Answered counts requests answered in full (200, or 503 once the
	// server refuses new work); Unavailable the 503s among them.
	Answered, Unavailable int64
	// Told counts clients answered with "Connection: close", which then
	// stop, as a load balancer stops routing to a draining target.
	Told int64
	// Refused counts clients whose next connection was refused: the
	// server was gone without telling them to close.
	Refused int64
	// Resets counts requests reset, cut or answered otherwise: the
	// failures the drain must not cause.
	Resets int
	// FirstReset is the first of them.
	FirstReset string
	// ExitCode is the server's exit status; Took the time from the signal
	// to the exit.
	ExitCode int
	Took     time.Duration
}

// DrainUnderLoad keeps drainClients keep-alive clients sending POST /search
// and streamed POST /query to base, calls terminate (which sends SIGTERM)
// once drainBeforeSignal requests were answered, and waits for every
// client to stop and for wait to report the exit status. A client stops
// when told to close or refused; everything else that is not a complete
// 200 or 503 is a reset.
func DrainUnderLoad(ctx context.Context, base string, terminate func() error, wait func() (int, error)) (*DrainResult, error) {
	client := &http.Client{
		Timeout:   requestTimeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: drainClients, MaxConnsPerHost: drainClients},
	}
	defer client.CloseIdleConnections()
	var (
		res                    DrainResult
		sent, answered         atomic.Int64
		unavailable, told, ref atomic.Int64
		mu                     sync.Mutex
		loaded                 = make(chan struct{})
		loadedOnce             sync.Once
		wg                     sync.WaitGroup
	)
	reset := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		if res.Resets == 0 {
			res.FirstReset = msg
		}
		res.Resets++
	}
	for c := range drainClients {
		wg.Go(func() {
			for n := c; sent.Add(1) <= drainMaxRequests; n += drainClients {
				status, closed, err := drainRequest(ctx, client, base, n)
				switch {
				case errors.Is(err, syscall.ECONNREFUSED):
					ref.Add(1)
					return
				case ctx.Err() != nil:
					return
				case err != nil:
					reset(err.Error())
					continue
				}
				if status == http.StatusServiceUnavailable {
					unavailable.Add(1)
				}
				if answered.Add(1) == drainBeforeSignal {
					loadedOnce.Do(func() { close(loaded) })
				}
				if closed {
					told.Add(1)
					return
				}
			}
		})
	}
	select {
	case <-loaded:
	case <-ctx.Done():
		wg.Wait()
		return nil, fmt.Errorf("soak: drain: %w", ctx.Err())
	}
	t0 := time.Now()
	if err := terminate(); err != nil {
		wg.Wait()
		return nil, fmt.Errorf("soak: drain: terminate: %w", err)
	}
	wg.Wait()
	code, err := wait()
	if err != nil {
		return nil, fmt.Errorf("soak: drain: wait: %w", err)
	}
	res.ExitCode, res.Took = code, time.Since(t0)
	res.Answered, res.Unavailable, res.Told, res.Refused = answered.Load(), unavailable.Load(), told.Load(), ref.Load()
	return &res, nil
}

// drainRequest sends the n-th drain request: a search, or every third one a
// streamed query. It returns the status, whether the server asked to close
// the connection, and an error unless the answer was a complete 200 or 503.
func drainRequest(ctx context.Context, c *http.Client, base string, n int) (int, bool, error) {
	body := fmt.Sprintf(`{"query": %q, "top_k": 3}`, question(n))
	path := "/search"
	if n%3 == 2 {
		body, path = fmt.Sprintf(`{"question": %q, "top_k": 3, "stream": true}`, question(n)), "/query"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(body))
	if err != nil {
		return 0, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, false, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	switch {
	case err != nil:
		return resp.StatusCode, resp.Close, fmt.Errorf("%s %s: body cut: %w", path, resp.Status, err)
	case resp.StatusCode == http.StatusServiceUnavailable:
		return resp.StatusCode, resp.Close, nil
	case resp.StatusCode != http.StatusOK:
		return resp.StatusCode, resp.Close, fmt.Errorf("%s: %s", path, resp.Status)
	case path == "/query" && !strings.Contains(string(b), "event: done"):
		return resp.StatusCode, resp.Close, fmt.Errorf("/query stream ended without done: %.200q", b)
	}
	return resp.StatusCode, resp.Close, nil
}
