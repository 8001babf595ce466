package weaviatetest

import (
	"context"
	"encoding/json"
	"net/http"
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
