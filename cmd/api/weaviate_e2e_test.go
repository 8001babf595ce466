package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/store"
	"github.com/vendor0919/api/internal/weaviatestore"
	"github.com/vendor0919/api/internal/weaviatetest"
)

// weaviateEnv is the server's environment over Weaviate node srv.
func weaviateEnv(srv *weaviatetest.Server, alias string) map[string]string {
	env := baseEnv("/nonexistent")
	env["VECTOR_BACKEND"] = "weaviate"
	env["WEAVIATE_URL"] = srv.URL
	env["WEAVIATE_GRPC_ADDR"] = srv.GRPCAddr
	env["WEAVIATE_COLLECTION"] = alias
	env["WEAVIATE_TIMEOUT"] = "3s"
	env["WEAVIATE_HEALTH_INTERVAL"] = "200ms"
	return env
}

func pushFixture(t *testing.T, srv *weaviatetest.Server, alias string, replication int) {
	t.Helper()
	_, err := weaviatestore.Push(context.Background(), fixtureStore(t), store.OpenOptions{}, weaviatestore.PushOptions{
		Conn: weaviatestore.Conn{URL: srv.URL, GRPCAddr: srv.GRPCAddr, Timeout: time.Minute}, Alias: alias, Replication: replication, Consistency: "ALL",
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitStatus polls path until it answers want (bounded by timeout).
func waitStatus(t *testing.T, p *apiProcess, path string, want int, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		code, body := p.getJSON(path)
		if code == want {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still %d after %s: %v", path, code, timeout, body)
		}
		time.Sleep(50 * time.Millisecond) // polling interval
	}
}

// TestWeaviate_DownAndBack serves /search from Weaviate, matching the
// embedded store, then loses Weaviate mid-traffic (/ready 503 with the
// reason, /search 503 within its timeout) and gets it back without a
// restart.
func TestWeaviate_DownAndBack(t *testing.T) {
	t.Parallel()
	srv := weaviatetest.Start(t, weaviatetest.Options{Env: []string{"USE_INVERTED_SEARCHABLE=false"}})
	pushFixture(t, srv, "E2e", 1)
	wv := startServer(t, weaviateEnv(srv, "E2e"))
	mem := startServer(t, baseEnv(fixtureStore(t)))
	ready := wv.waitReady(time.Minute)
	if vs, _ := ready["vectorstore"].(map[string]any); vs["format"] != "weaviate" {
		t.Errorf("/ready: %v", ready)
	}
	mem.waitReady(time.Minute)
	for _, body := range []string{`{"query":"battery warranty","mode":"vector","top_k":5}`, `{"query":"battery charging","mode":"vector","top_k":3,"filter":{"lang":"en"}}`} {
		_, a := wv.postJSON("/search", body)
		_, b := mem.postJSON("/search", body)
		if ids(t, a) != ids(t, b) {
			t.Errorf("%s: weaviate %s, embedded %s", body, ids(t, a), ids(t, b))
		}
	}

	srv.Kill()
	body := waitStatus(t, wv, "/ready", http.StatusServiceUnavailable, 30*time.Second)
	if d := fmt.Sprint(body["detail"]); !strings.Contains(d, "Vector store unavailable") || strings.Contains(d, "127.0.0.1") {
		t.Errorf("/ready detail %q", d)
	}
	start := time.Now()
	resp, b := wv.postJSON("/search", `{"query":"battery","mode":"vector"}`)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "Vector store is unavailable") {
		t.Errorf("/search with Weaviate down: %d %s", resp.StatusCode, b)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("/search took %v with Weaviate down", took)
	}

	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, wv, "/ready", http.StatusOK, time.Minute)
	if resp, b := wv.postJSON("/search", `{"query":"battery warranty"}`); resp.StatusCode != http.StatusOK {
		t.Errorf("/search after recovery: %d %s", resp.StatusCode, b)
	}
}

func ids(t *testing.T, body []byte) string {
	t.Helper()
	var r struct {
		Results []struct {
			ID string `json:"id"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	var out []string
	for _, h := range r.Results {
		out = append(out, h.ID)
	}
	return strings.Join(out, ",")
}

// TestWeaviate_ClusterNodeLoss runs three Weaviate nodes with replication
// factor 3 and a bounded load through the service (which reads at
// QUORUM from node 1); one other node is killed and restarted meanwhile.
// No request may fail and /ready must stay 200.
func TestWeaviate_ClusterNodeLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("three Weaviate nodes: not under -short")
	}
	t.Parallel()
	nodes := weaviatetest.StartCluster(t, 3, weaviatetest.Options{Env: []string{"USE_INVERTED_SEARCHABLE=false"}})
	pushFixture(t, nodes[0], "Cluster", 3)
	api := startServer(t, weaviateEnv(nodes[0], "Cluster"))
	api.waitReady(time.Minute)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ok, failed, notReady atomic.Int64
	var firstErr, firstNotReady atomic.Value
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	queries := []string{"battery warranty", "password reset", "return policy", "firmware update"}
	for w := range 4 { // bounded: 4 clients, one request at a time each
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf(`{"query":%q,"top_k":5}`, queries[(i+w)%len(queries)])
				resp, err := client.Post(api.URL+"/search", "application/json", strings.NewReader(body))
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", resp.StatusCode, b))
					continue
				}
				ok.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() { // /ready sampled throughout
		defer wg.Done()
		for ctx.Err() == nil {
			resp, err := client.Get(api.URL + "/ready")
			switch {
			case err != nil:
				notReady.Add(1)
				firstNotReady.CompareAndSwap(nil, err.Error())
			case resp.StatusCode != http.StatusOK:
				notReady.Add(1)
				b, _ := io.ReadAll(resp.Body)
				firstNotReady.CompareAndSwap(nil, fmt.Sprintf("%d %s", resp.StatusCode, b))
			}
			if err == nil {
				_ = resp.Body.Close()
			}
			time.Sleep(100 * time.Millisecond) // sampling interval
		}
	}()
	waitOK := func(n int64) { // progress, by requests served, not by time
		target := ok.Load() + n
		for ok.Load() < target && failed.Load() == 0 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond) // polling interval
		}
	}
	waitOK(200)
	nodes[2].Kill()
	waitOK(300)
	if err := nodes[2].Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitOK(300)
	cancel()
	wg.Wait()
	t.Logf("served %d searches, %d failed, /ready not 200 %d times", ok.Load(), failed.Load(), notReady.Load())
	if failed.Load() != 0 || notReady.Load() != 0 {
		t.Errorf("%d failed requests (first: %v), /ready not 200 %d times (first: %v)", failed.Load(), firstErr.Load(), notReady.Load(), firstNotReady.Load())
	}
}
