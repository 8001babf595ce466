package lifecycle

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// connDrain ends keep-alives without closing an idle connection under a
// request just sent on it: once draining, every answer carries
// "Connection: close" (net/http then closes the connection after it), and
// drain waits until every connection has closed that way. Connections that
// stay idle until drain's limit are left to http.Server.Shutdown. It is safe
// for concurrent use; its zero value is ready.
type connDrain struct {
	mu       sync.Mutex
	state    map[net.Conn]http.ConnState
	draining bool
	changed  chan struct{} // closed and replaced on every change while draining
}

// track is the http.Server's ConnState hook.
func (d *connDrain) track(c net.Conn, st http.ConnState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state == nil {
		d.state = map[net.Conn]http.ConnState{}
	}
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(d.state, c)
	default:
		d.state[c] = st
	}
	if d.draining {
		close(d.changed)
		d.changed = make(chan struct{})
	}
}

// closeWhenDraining adds "Connection: close" to every answer once drain
// has begun.
func (d *connDrain) closeWhenDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		draining := d.draining
		d.mu.Unlock()
		if draining {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// drain starts draining and waits up to limit until every connection has
// closed: each one that carried a request meanwhile was answered with
// "Connection: close". A connection idle at that instant may have a
// request on its way, so it is not closed here; one idle until the limit
// is unlikely to be used just as Shutdown closes it.
func (d *connDrain) drain(limit time.Duration) {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	d.mu.Lock()
	d.draining = true
	d.changed = make(chan struct{})
	for {
		if len(d.state) == 0 {
			d.mu.Unlock()
			return
		}
		changed := d.changed
		d.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			return
		}
		d.mu.Lock()
	}
}
