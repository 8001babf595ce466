package lifecycle

import "sync/atomic"

// Readiness is the service's lifecycle as /ready reports it: starting
// (not ready), ready, and draining after SIGTERM; it implements
// httpapi.Readiness. The zero value is "starting". It is safe for concurrent use: state and detail change
// together, so /ready never pairs one state with another's detail.
type Readiness struct {
	cur atomic.Pointer[readyState]
}

type readyState struct {
	state  int32
	detail string
	// brief is what /ready may say when API keys guard the rest: a few
	// fixed words, never a path, URI or error text.
	brief string
	// served: a store was served once, so a remote one that stopped
	// answering does not make the task itself unsound (TaskReady).
	served bool
}

const (
	stateStarting int32 = iota
	stateReady
	stateDraining
)

// The brief reasons; Brief returns nothing else.
const (
	briefStarting  = "Service is starting"
	briefNotLoaded = "Vector store not loaded"
	briefDraining  = "Service is shutting down"
	// briefUnavailable: a remote store (Weaviate) stopped answering.
	briefUnavailable = "Vector store unavailable"
)

var startingState = readyState{state: stateStarting}

func (r *Readiness) load() *readyState {
	if s := r.cur.Load(); s != nil {
		return s
	}
	return &startingState
}

// update applies f to the current state until it wins the race; f returns
// nil to leave the state as it is.
func (r *Readiness) update(f func(cur readyState) *readyState) {
	for {
		old := r.cur.Load()
		cur := startingState
		if old != nil {
			cur = *old
		}
		next := f(cur)
		if next == nil || r.cur.CompareAndSwap(old, next) {
			return
		}
	}
}

// SetStarting records why the service is not ready yet, for /ready. It
// has no effect once the service is ready or draining: a store that is
// being served stays served while a later load fails.
func (r *Readiness) SetStarting(reason string) {
	r.update(func(cur readyState) *readyState {
		if cur.state != stateStarting {
			return nil
		}
		return &readyState{state: stateStarting, detail: reason, brief: cur.brief, served: cur.served}
	})
}

// SetNotLoaded records that a load failed while nothing is served: /ready
// says "Vector store not loaded: " and reason, or only the first words
// when Brief is asked. Like SetStarting, it has no effect once the service
// is ready or draining.
func (r *Readiness) SetNotLoaded(reason string) {
	r.update(func(cur readyState) *readyState {
		if cur.state != stateStarting {
			return nil
		}
		return &readyState{state: stateStarting, detail: briefNotLoaded + ": " + reason, brief: briefNotLoaded, served: cur.served}
	})
}

// SetUnavailable records that the store, served by another system,
// stopped answering: unlike SetNotLoaded it also takes a ready service
// back to not ready ("Vector store unavailable: " and reason); a later
// SetReady restores it. It does nothing once draining has begun.
func (r *Readiness) SetUnavailable(reason string) {
	r.update(func(cur readyState) *readyState {
		if cur.state == stateDraining {
			return nil
		}
		return &readyState{state: stateStarting, detail: briefUnavailable + ": " + reason, brief: briefUnavailable, served: cur.served}
	})
}

// SetReady marks the service ready, with a note for /ready (for example
// that a local copy is served because S3 was unreachable); a later call
// replaces the note. It does nothing once draining has begun.
func (r *Readiness) SetReady(note string) {
	r.update(func(cur readyState) *readyState {
		if cur.state == stateDraining {
			return nil
		}
		return &readyState{state: stateReady, detail: note, served: true}
	})
}

// SetDraining marks the service as shutting down; it never becomes ready
// again.
func (r *Readiness) SetDraining() {
	r.update(func(readyState) *readyState {
		return &readyState{state: stateDraining, detail: briefDraining, brief: briefDraining}
	})
}

// TaskReady reports whether the task itself is sound: it has served a
// store and is not shutting down, whatever a remote store (Weaviate)
// answers now. It is the container health check's question, whose "no"
// has ECS replace the task: an outage of a system every task depends on
// must not restart them all in a loop.
func (r *Readiness) TaskReady() bool {
	s := r.load()
	return s.state != stateDraining && (s.state == stateReady || s.served)
}

// Draining reports whether shutdown has begun.
func (r *Readiness) Draining() bool { return r.load().state == stateDraining }

// Check reports whether the service is ready and the current detail.
func (r *Readiness) Check() (bool, string) {
	s := r.load()
	switch s.state {
	case stateReady:
		return true, s.detail
	case stateStarting:
		if s.detail == "" {
			return false, "Service is starting"
		}
	}
	return false, s.detail
}

// Brief reports whether the service is ready and, when not, why in a few
// fixed words ("Service is starting", "Vector store not loaded", "Vector
// store unavailable", "Service is shutting down"): what /ready says when API keys guard the details.
func (r *Readiness) Brief() (bool, string) {
	s := r.load()
	switch {
	case s.state == stateReady:
		return true, ""
	case s.brief != "":
		return false, s.brief
	}
	return false, briefStarting
}
