package weaviatetest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStart_ReadyAndStops(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	resp, err := http.Get(s.URL + "/v1/meta") //nolint:noctx // test
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	if "v"+meta.Version != Version {
		t.Errorf("server version %q, want %s", meta.Version, Version)
	}
	s.Kill()
	if err := s.WaitReady(context.Background(), 0); err == nil {
		t.Error("a killed node still answers ready")
	}
	if err := s.Restart(context.Background()); err != nil {
		t.Fatalf("restart: %v", err)
	}
}

// TestLaunch_FreshPortsWhenTaken runs a stand-in for the server binary
// that records each start and exits as Weaviate does when a port is taken:
// Launch tries again with fresh ports, portTries times, and then reports
// the last failure. A node that fails otherwise is not tried again.
func TestLaunch_FreshPortsWhenTaken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		log    string
		starts int
		taken  bool
	}{
		{"port taken", `listen tcp :44757: bind: address already in use`, portTries, true},
		{"other failure", `invalid config`, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			starts := filepath.Join(dir, "starts")
			bin := filepath.Join(dir, "weaviate-server")
			script := "#!/bin/sh\necho \"$GRPC_PORT\" >> " + starts + "\necho '" + tc.log + "'\nexit 1\n"
			if err := os.WriteFile(bin, []byte(script), 0o755); err != nil { //nolint:gosec // G306: the stand-in must be executable
				t.Fatal(err)
			}
			_, err := Launch(context.Background(), bin, 1, Options{}, dir)
			if err == nil || errors.Is(err, errPortTaken) != tc.taken {
				t.Fatalf("Launch = %v, want an error (port taken: %v)", err, tc.taken)
			}
			b, err := os.ReadFile(starts)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Fields(string(b)); len(got) != tc.starts {
				t.Errorf("started %d times (gRPC ports %v), want %d", len(got), got, tc.starts)
			}
		})
	}
}
