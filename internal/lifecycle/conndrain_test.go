package lifecycle

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"
)

// TestConnDrain_WaitsForConnectionsToClose: drain returns at once with no
// connection, when the last one closes, or at its limit when one stays
// idle; once draining, answers say "Connection: close".
func TestConnDrain_WaitsForConnectionsToClose(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var d connDrain
		start := time.Now()
		d.drain(time.Second)
		if took := time.Since(start); took != 0 {
			t.Errorf("drain with no connections took %s", took)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		var d connDrain
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		d.track(a, http.StateNew)
		d.track(b, http.StateIdle)
		go func() {
			time.Sleep(100 * time.Millisecond)
			d.track(a, http.StateActive)
			d.track(a, http.StateClosed)
			time.Sleep(100 * time.Millisecond)
			d.track(b, http.StateClosed)
		}()
		start := time.Now()
		d.drain(time.Second)
		if took := time.Since(start); took != 200*time.Millisecond {
			t.Errorf("drain took %s, want 200ms (until the last connection closed)", took)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		var d connDrain
		a, _ := net.Pipe()
		defer a.Close()
		d.track(a, http.StateIdle)
		start := time.Now()
		d.drain(time.Second)
		if took := time.Since(start); took != time.Second {
			t.Errorf("drain with an idle connection took %s, want the 1s limit", took)
		}
		rec := httptest.NewRecorder()
		d.closeWhenDraining(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if got := rec.Header().Get("Connection"); got != "close" {
			t.Errorf("Connection %q while draining, want close", got)
		}
	})
	rec := httptest.NewRecorder()
	var d connDrain
	d.closeWhenDraining(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got := rec.Header().Get("Connection"); got != "" {
		t.Errorf("Connection %q before draining, want none", got)
	}
}
