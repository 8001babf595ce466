package httpapi

import "sync/atomic"

// Readiness is the service's lifecycle as /ready reports it: starting
// (not ready), ready, and draining after SIGTERM. The zero value is
// "starting". It is safe for concurrent use.
type Readiness struct {
	state  atomic.Int32
	detail atomic.Pointer[string]
}

const (
	stateStarting int32 = iota
	stateReady
	stateDraining
)

// SetStarting records why the service is not ready yet, for /ready. It
// has no effect once the service is ready or draining: a store that is
// being served stays served while a later load fails.
func (r *Readiness) SetStarting(reason string) {
	if r.state.Load() == stateStarting {
		r.detail.Store(&reason)
	}
}

// SetReady marks the service ready, with a note for /ready (for example
// that a local copy is served because S3 was unreachable); a later call
// replaces the note. It does nothing once draining has begun.
func (r *Readiness) SetReady(note string) {
	r.detail.Store(&note)
	r.state.CompareAndSwap(stateStarting, stateReady)
}

// SetDraining marks the service as shutting down; it never becomes ready
// again.
func (r *Readiness) SetDraining() { r.state.Store(stateDraining) }

// Draining reports whether shutdown has begun.
func (r *Readiness) Draining() bool { return r.state.Load() == stateDraining }

// Check reports whether the service is ready and the current detail.
func (r *Readiness) Check() (bool, string) {
	d := ""
	if p := r.detail.Load(); p != nil {
		d = *p
	}
	switch r.state.Load() {
	case stateReady:
		return true, d
	case stateDraining:
		return false, "Service is shutting down"
	}
	if d == "" {
		d = "Service is starting"
	}
	return false, d
}
