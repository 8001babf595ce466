package httpapi

// Readiness is the service's lifecycle as /ready reports it. The process
// flips it as it loads the store and shuts down; Check is called on every
// /ready request and must be safe for concurrent use and cheap (no I/O).
type Readiness interface {
	// Check reports whether the service is ready and a detail for /ready:
	// the reason when not ready, an optional note when ready.
	Check() (ok bool, detail string)
}

// BriefReadiness is implemented by a Readiness that can say why it is not
// ready in a few fixed words that reveal nothing about the deployment (no
// path, URI, model or error text). /ready answers with it when API_KEYS is
// set; for a Readiness without it, /ready says only "Not ready".
type BriefReadiness interface {
	Brief() (ok bool, reason string)
}

// briefReadiness asks rd for its brief answer.
func briefReadiness(rd Readiness) (bool, string) {
	if b, ok := rd.(BriefReadiness); ok {
		return b.Brief()
	}
	ok, _ := rd.Check()
	return ok, "Not ready"
}

// TaskReadiness is implemented by a Readiness that can tell the task's
// own state from the systems it depends on (a remote store): /ready?scope=task
// asks it, for the container health check.
type TaskReadiness interface {
	TaskReady() bool
}

// taskReady asks rd whether the task itself is sound; a Readiness that
// cannot tell answers as its Check does.
func taskReady(rd Readiness) bool {
	if t, ok := rd.(TaskReadiness); ok {
		return t.TaskReady()
	}
	ok, _ := rd.Check()
	return ok
}

// alwaysReady is the Readiness of a Server given none.
type alwaysReady struct{}

func (alwaysReady) Check() (bool, string) { return true, "" }

// readyResponse is the body of GET /ready when ready.
type readyResponse struct {
	Status string `json:"status" example:"ready"`
	// A note, e.g. that a local copy is served because S3 was unreachable.
	Detail      string     `json:"detail,omitempty"`
	VectorStore *StoreInfo `json:"vectorstore,omitempty"`
}

// jwtReadiness is not ready while the JWT verifier's keys are not loaded,
// as the service cannot admit its JWT clients yet.
type jwtReadiness struct {
	Readiness
	jwt TokenVerifier
}

const jwtNotReady = "Authentication keys not loaded"

func (j jwtReadiness) Check() (bool, string) {
	if ok, detail := j.Readiness.Check(); !ok || j.jwt.Ready() {
		return ok, detail
	}
	return false, jwtNotReady
}

// TaskReady leaves the issuer out: keys that cannot be fetched are the
// issuer's outage, and API keys are still served.
func (j jwtReadiness) TaskReady() bool { return taskReady(j.Readiness) }

func (j jwtReadiness) Brief() (bool, string) {
	if ok, reason := briefReadiness(j.Readiness); !ok || j.jwt.Ready() {
		return ok, reason
	}
	return false, jwtNotReady
}
