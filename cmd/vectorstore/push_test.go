package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
)

// writePushStore writes a small real native store with the store writer.
func writePushStore(t *testing.T, version string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	chunks := []docmodel.Chunk{{ID: "a", Text: "alpha"}, {ID: "b", Text: "ベータ"}, {ID: "c", Text: "gamma"}}
	vectors := []float32{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}
	_, err := store.Write(context.Background(), dir, chunks, vectors, store.WriteOptions{
		Version:   version,
		Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "test", Dims: 4},
		Exact:     true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// awsEnv points the default AWS credential chain at srv only.
func awsEnv(t *testing.T, srv *s3test.Server) {
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestPushCommand_PublishesVerifiedStore(t *testing.T) {
	srv := s3test.Start(t)
	awsEnv(t, srv)
	dir := writePushStore(t, "v7")
	var out, errOut bytes.Buffer
	err := runPush(context.Background(), config.Providers{}, store.FolderFlags{}, []string{
		"--dir", dir, "--to", "s3://" + srv.Bucket + "/vectorstore/prod",
		"--endpoint", srv.Endpoint, "--path-style", "--attempts", "1",
	}, &out, &errOut)
	if err != nil {
		t.Fatalf("push: %v\nstderr: %s", err, errOut.String())
	}
	m, err := store.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"verified  " + dir + ": version v7, 3 chunks, 4 dims",
		"-> s3://" + srv.Bucket + "/vectorstore/prod/",
		"version   v7",
		"manifest  manifest.json uploaded last",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	var wantKeys []string
	for name := range m.Files {
		wantKeys = append(wantKeys, "vectorstore/prod/"+name)
	}
	wantKeys = append(wantKeys, "vectorstore/prod/"+store.ManifestFile)
	slices.Sort(wantKeys)
	if got := srv.Keys(t, "vectorstore/"); !slices.Equal(got, wantKeys) {
		t.Fatalf("keys = %v, want %v", got, wantKeys)
	}
	for name := range m.Files {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(srv.ObjectPath("vectorstore/prod/" + name))
		if !bytes.Equal(a, b) {
			t.Fatalf("%s differs on S3", name)
		}
	}
}

func TestPushCommand_RefusesBadStore(t *testing.T) {
	srv := s3test.Start(t)
	awsEnv(t, srv)
	corrupt := writePushStore(t, "v1")
	m, err := store.ReadManifest(corrupt)
	if err != nil {
		t.Fatal(err)
	}
	for name, fi := range m.Files { // flip one byte of one file
		p := filepath.Join(corrupt, name)
		b, _ := os.ReadFile(p)
		if len(b) > 0 && fi.Size > 0 {
			b[0] ^= 0xff
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	faiss := t.TempDir()
	for _, n := range []string{"index.faiss", "index.pkl"} {
		if err := os.WriteFile(filepath.Join(faiss, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, dir, wantText string
		wantErr             error
	}{
		{"checksum mismatch", corrupt, "verify", store.ErrCorrupt},
		{"LangChain folder", faiss, "not a native store", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runPush(context.Background(), config.Providers{}, store.FolderFlags{}, []string{
				"--dir", tt.dir, "--to", "s3://" + srv.Bucket + "/p", "--endpoint", srv.Endpoint, "--path-style",
			}, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tt.wantText) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.wantText)
			}
			if keys := srv.Keys(t, ""); len(keys) != 0 {
				t.Fatalf("refused push uploaded %v", keys)
			}
		})
	}
}

func TestPushCommand_UsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"no flags", nil},
		{"no --to", []string{"--dir", "x"}},
		{"no --dir", []string{"--to", "s3://b/p"}},
		{"bad URI", []string{"--dir", "x", "--to", "b/p"}},
		{"extra argument", []string{"--dir", "x", "--to", "s3://b/p", "extra"}},
		{"unknown flag", []string{"--nope"}},
		{"zero concurrency", []string{"--dir", "x", "--to", "s3://b/p", "--concurrency", "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			err := runPush(context.Background(), config.Providers{}, store.FolderFlags{}, tt.args, &out, &errOut)
			if !errors.As(err, new(usageError)) {
				t.Fatalf("err = %v, want a usage error", err)
			}
		})
	}
}

// TestPushCommand_EndpointFromEnvironment: without --endpoint and
// --path-style, push reads the S3 endpoint the way the server does, here
// from the AWS tools' AWS_ENDPOINT_URL (path-style addressing follows).
func TestPushCommand_EndpointFromEnvironment(t *testing.T) {
	srv := s3test.Start(t)
	awsEnv(t, srv)
	dir := writePushStore(t, "v8")
	env := map[string]string{"AWS_ENDPOINT_URL": srv.Endpoint}
	var out, errOut bytes.Buffer
	code := runMain(context.Background(), []string{"push", "--dir", dir, "--to", "s3://" + srv.Bucket + "/env/prod", "--attempts", "1"},
		func(k string) string { return env[k] }, &out, &errOut)
	if code != 0 {
		t.Fatalf("push: exit %d\nstderr: %s", code, errOut.String())
	}
	if got := srv.Keys(t, "env/"); !slices.Contains(got, "env/prod/"+store.ManifestFile) {
		t.Fatalf("keys = %v, want the manifest under env/prod/", got)
	}
}

// TestBuild_EmbedderFromEnvironment: build takes EMBEDDER and
// EMBEDDING_DIMS as the server does; --embedder overrides the name.
func TestBuild_EmbedderFromEnvironment(t *testing.T) {
	t.Parallel()
	corpus := t.TempDir()
	if err := os.WriteFile(filepath.Join(corpus, "a.md"), []byte("# Refunds\n\nRefunds take 14 days."), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"EMBEDDER": "hash", "EMBEDDING_DIMS": "64"}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		args     []string
		wantCode int
		wantDims int
	}{
		{nil, 0, 64},
		{[]string{"--embedder", "hash"}, 0, 64},
		{[]string{"--embedder", "nope"}, 2, 0},
	} {
		out := filepath.Join(t.TempDir(), "store")
		var stdout, stderr bytes.Buffer
		args := append([]string{"build", "--in", corpus, "--out", out, "--quiet"}, tc.args...)
		if code := runMain(context.Background(), args, getenv, &stdout, &stderr); code != tc.wantCode {
			t.Fatalf("%v: exit %d, want %d\n%s", tc.args, code, tc.wantCode, stderr.String())
		}
		if tc.wantCode != 0 {
			continue
		}
		m, err := store.ReadManifest(out)
		if err != nil {
			t.Fatal(err)
		}
		if m.Embedding.Provider != "hash" || m.Embedding.Dims != tc.wantDims {
			t.Errorf("%v: store embedded with %+v, want hash %d dims", tc.args, m.Embedding, tc.wantDims)
		}
	}
}
