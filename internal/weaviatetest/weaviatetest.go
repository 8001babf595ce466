package weaviatetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/testproc"
)

// Version is the Weaviate release the harness is built and tested with.
const Version = "v1.35.2"

// StartTimeout bounds how long a node may take to become ready.
const StartTimeout = 3 * time.Minute

// Options tune the servers Start and StartCluster run. The zero value is
// an anonymous-access server.
type Options struct {
	// APIKey, when set, turns anonymous access off and accepts this key
	// (user "test").
	APIKey string
	// Env adds NAME=VALUE settings to every node's environment.
	Env []string
}

// Server is one weaviate-server process.
type Server struct {
	Name     string // CLUSTER_HOSTNAME
	Host     string // REST "127.0.0.1:PORT"
	URL      string // "http://" + Host
	GRPCAddr string // "127.0.0.1:PORT"
	Dir      string // PERSISTENCE_DATA_PATH

	gossip string // CLUSTER_GOSSIP_BIND_PORT address, which others join
	bin    string
	env    []string
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
	out    *testproc.Output
}

// Binary returns the path of weaviate-server, or "" if none is found.
func Binary() string { return testproc.FindBinary("WEAVIATE_SERVER_BIN", "weaviate-server") }

// RequireBinary returns the weaviate-server path, or skips t (fails it
// when VENDOR0919_REQUIRE_TOOLS=1) if there is none. Under -short it
// always skips: a node takes seconds to start.
func RequireBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("weaviatetest: -short skips tests against a real Weaviate")
	}
	if p := Binary(); p != "" {
		return p
	}
	testproc.Missing(t, "weaviatetest: weaviate-server not found (set WEAVIATE_SERVER_BIN)")
	return ""
}

// Start runs one node and waits until it is ready; t.Cleanup stops it.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	return StartCluster(t, 1, opts)[0]
}

// StartCluster runs n nodes that form one cluster (each joins the first's
// gossip port; RAFT_JOIN names all of them, so all are voters) and waits
// until every node is ready; t.Cleanup stops them.
func StartCluster(t testing.TB, n int, opts Options) []*Server {
	t.Helper()
	bin := RequireBinary(t)
	nodes, err := Launch(context.Background(), bin, n, opts, t.TempDir())
	if err != nil {
		t.Fatalf("weaviatetest: %v", err)
	}
	t.Cleanup(func() {
		for _, s := range nodes {
			s.Stop()
			if t.Failed() {
				t.Logf("weaviatetest: %s log (tail):\n%s", s.Name, tail(s.Log(), 4000))
			}
		}
	})
	return nodes
}

// errPortTaken marks a node that exited because one of its ports was
// taken: ports are found free, then handed to the node, and another
// process (or a client's ephemeral port) can take one in between.
var errPortTaken = errors.New("a port was taken before the node bound it")

// portTries is how many sets of fresh ports Launch tries.
const portTries = 3

// Launch prepares n nodes under root (NewCluster) and starts them
// (StartAll). When a node could not bind a port, it stops them all and
// tries again with fresh ports, up to portTries times. On success the
// caller stops each node with Stop.
func Launch(ctx context.Context, bin string, n int, opts Options, root string) ([]*Server, error) {
	var err error
	for try := range portTries {
		var nodes []*Server
		if nodes, err = NewCluster(bin, n, opts, filepath.Join(root, "try"+strconv.Itoa(try))); err != nil {
			return nil, err
		}
		if err = StartAll(ctx, nodes); err == nil {
			return nodes, nil
		}
		for _, s := range nodes {
			s.Stop()
		}
		if !errors.Is(err, errPortTaken) {
			return nil, err
		}
	}
	return nil, err
}

// exitErr describes a node that exited while it was awaited, marked
// errPortTaken when its log says a port was in use.
func (s *Server) exitErr(what string) error {
	log := s.Log()
	if strings.Contains(log, "address already in use") {
		return fmt.Errorf("%s exited %s: %w:\n%s", s.Name, what, errPortTaken, tail(log, 4000))
	}
	return fmt.Errorf("%s exited %s:\n%s", s.Name, what, tail(log, 4000))
}

// NewCluster prepares n nodes under root (one folder each) with fresh
// ports, without starting them: for a TestMain that shares servers across
// tests. The caller starts them with StartAll and stops each with Stop.
func NewCluster(bin string, n int, opts Options, root string) ([]*Server, error) {
	if n < 1 {
		return nil, errors.New("cluster needs at least one node")
	}
	type ports struct{ rest, grpc, gossip, data, raft, rpc int }
	ps := make([]ports, n)
	var raftJoin []string
	for i := range ps {
		p := ports{}
		var err error
		if p.rest, err = freePort(); err != nil {
			return nil, err
		}
		if p.grpc, err = freePort(); err != nil {
			return nil, err
		}
		// Weaviate's data port defaults to gossip+1; give it exactly that.
		if p.gossip, err = freePortPair(); err != nil {
			return nil, err
		}
		p.data = p.gossip + 1
		// In a local cluster Weaviate finds a node's RPC port at its raft
		// port + 1, and RAFT_JOIN names raft ports.
		if p.raft, err = freePortPair(); err != nil {
			return nil, err
		}
		p.rpc = p.raft + 1
		ps[i] = p
		raftJoin = append(raftJoin, fmt.Sprintf("node%d:%d", i+1, p.raft))
	}
	nodes := make([]*Server, n)
	for i, p := range ps {
		name := fmt.Sprintf("node%d", i+1)
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		env := append(os.Environ(),
			"PERSISTENCE_DATA_PATH="+dir,
			"DEFAULT_VECTORIZER_MODULE=none",
			"ENABLE_MODULES=",
			"DISABLE_TELEMETRY=true",
			"LOG_LEVEL=info",
			"QUERY_DEFAULTS_LIMIT=25",
			"CLUSTER_HOSTNAME="+name,
			"CLUSTER_ADVERTISE_ADDR=127.0.0.1",
			"CLUSTER_BIND_ADDR=127.0.0.1",
			"CLUSTER_GOSSIP_BIND_PORT="+strconv.Itoa(p.gossip),
			"CLUSTER_DATA_BIND_PORT="+strconv.Itoa(p.data),
			"GRPC_PORT="+strconv.Itoa(p.grpc),
			"RAFT_PORT="+strconv.Itoa(p.raft),
			"RAFT_INTERNAL_RPC_PORT="+strconv.Itoa(p.rpc),
			"RAFT_BOOTSTRAP_EXPECT="+strconv.Itoa(n),
			"RAFT_JOIN="+strings.Join(raftJoin, ","),
		)
		if n > 1 {
			// CLUSTER_IN_LOCALHOST: nodes share an address, so raft resolves
			// each node's port from RAFT_JOIN instead of assuming one port.
			env = append(env, fmt.Sprintf("CLUSTER_JOIN=127.0.0.1:%d", ps[0].gossip), "CLUSTER_IN_LOCALHOST=true")
		}
		if opts.APIKey != "" {
			env = append(env, "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=false", "AUTHENTICATION_APIKEY_ENABLED=true",
				"AUTHENTICATION_APIKEY_ALLOWED_KEYS="+opts.APIKey, "AUTHENTICATION_APIKEY_USERS=test")
		} else {
			env = append(env, "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true")
		}
		env = append(env, opts.Env...)
		host := "127.0.0.1:" + strconv.Itoa(p.rest)
		nodes[i] = &Server{Name: name, Host: host, URL: "http://" + host, GRPCAddr: "127.0.0.1:" + strconv.Itoa(p.grpc),
			Dir: dir, gossip: "127.0.0.1:" + strconv.Itoa(p.gossip), bin: bin, env: env, out: &testproc.Output{}}
	}
	return nodes, nil
}

// StartAll starts every node, then waits until all are ready. The first
// node's gossip port must listen before the others start: Weaviate tries
// CLUSTER_JOIN once at start-up and does not retry.
//
// An error carries the failing node's log, and the other nodes' too: in a
// cluster the cause is often in another node's (a raft join refused, a
// schema it would not accept).
func StartAll(ctx context.Context, nodes []*Server) error {
	for i, s := range nodes {
		if err := s.start(); err != nil {
			return withPeerLogs(err, s, nodes)
		}
		if i == 0 && len(nodes) > 1 {
			if err := s.waitListening(ctx, s.gossip, StartTimeout); err != nil {
				return withPeerLogs(err, s, nodes)
			}
		}
	}
	for _, s := range nodes {
		if err := s.WaitReady(ctx, StartTimeout); err != nil {
			return withPeerLogs(err, s, nodes)
		}
	}
	return nil
}

// peerLogBytes is how much of each other node's log a start-up error
// carries: the failing node's own gets 4000 (exitErr).
const peerLogBytes = 2000

// withPeerLogs adds to err, which failed names, the end of every other
// node's log; err stays what errors.Is and errors.As find.
func withPeerLogs(err error, failed *Server, nodes []*Server) error {
	var b strings.Builder
	for _, o := range nodes {
		if o == failed {
			continue
		}
		log := tail(o.Log(), peerLogBytes)
		if log == "" {
			log = "(empty)"
		}
		fmt.Fprintf(&b, "\n%s log (tail):\n%s", o.Name, log)
	}
	if b.Len() == 0 {
		return err
	}
	return fmt.Errorf("%w%s", err, b.String())
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done != nil {
		select {
		case <-s.done:
		default:
			return fmt.Errorf("%s is already running", s.Name)
		}
	}
	cmd := exec.Command(s.bin, "--host", "127.0.0.1", "--port", strings.TrimPrefix(s.Host, "127.0.0.1:"), "--scheme", "http") //nolint:gosec // G204: test harness runs the binary it found
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.Name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	return nil
}

// WaitReady polls /v1/.well-known/ready until it answers 200, the process
// exits, or timeout passes.
func (s *Server) WaitReady(ctx context.Context, timeout time.Duration) error {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/v1/.well-known/ready", nil)
		if resp, err := hc.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			return s.exitErr("before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("%s not ready within %v:\n%s", s.Name, timeout, tail(s.Log(), 4000))
		case <-tick.C:
		}
	}
}

// waitListening waits until addr accepts TCP connections or the node exits.
func (s *Server) waitListening(ctx context.Context, addr string, timeout time.Duration) error {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var d net.Dialer
	for {
		if c, err := d.DialContext(ctx, "tcp", addr); err == nil {
			_ = c.Close()
			return nil
		}
		select {
		case <-done:
			return s.exitErr("before listening on " + addr)
		case <-ctx.Done():
			return fmt.Errorf("%s not listening on %s within %v", s.Name, addr, timeout)
		case <-tick.C:
		}
	}
}

// Stop ends the node with SIGTERM (SIGKILL after 20 s) and waits for it.
// It is safe to call on a stopped node.
func (s *Server) Stop() { s.signal(syscall.SIGTERM, 20*time.Second) }

// Kill ends the node with SIGKILL, as a crash would, and waits for it.
func (s *Server) Kill() { s.signal(syscall.SIGKILL, 0) }

func (s *Server) signal(sig syscall.Signal, grace time.Duration) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	_ = cmd.Process.Signal(sig)
	if grace == 0 {
		<-done
		return
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		_ = cmd.Process.Kill()
		<-done
	}
}

// Restart starts a stopped node again with its ports and data and waits
// until it is ready.
func (s *Server) Restart(ctx context.Context) error {
	if err := s.start(); err != nil {
		return err
	}
	return s.WaitReady(ctx, StartTimeout)
}

// Log returns what the node has printed so far.
func (s *Server) Log() string { return s.out.String() }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// freePortPair returns a port p such that p and p+1 were both free.
func freePortPair() (int, error) {
	for range 50 {
		p, err := freePort()
		if err != nil {
			return 0, err
		}
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		if err == nil {
			_ = l.Close()
			return p, nil
		}
	}
	return 0, errors.New("no two consecutive free ports")
}
