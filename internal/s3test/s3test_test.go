package s3test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestStart_PutGetList(t *testing.T) {
	t.Parallel()
	srv := Start(t)
	srv.Put(t, "p/a.txt", []byte("alpha"))
	srv.Put(t, "p/b.txt", []byte("bravo"))
	srv.Put(t, "q/c.txt", []byte("charlie"))

	if got, want := srv.Keys(t, "p/"), []string{"p/a.txt", "p/b.txt"}; !slices.Equal(got, want) {
		t.Fatalf("Keys(p/) = %v, want %v", got, want)
	}
	out, err := srv.Client.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(srv.Bucket), Key: aws.String("p/b.txt"),
	})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(out.Body)
	_ = out.Body.Close()
	if err != nil || string(body) != "bravo" {
		t.Fatalf("get = %q, %v; want bravo", body, err)
	}
	if b, err := os.ReadFile(srv.ObjectPath("q/c.txt")); err != nil || string(b) != "charlie" {
		t.Fatalf("ObjectPath content = %q, %v", b, err)
	}
	srv.Delete(t, "p/a.txt")
	if got := srv.Keys(t, "p/"); !slices.Equal(got, []string{"p/b.txt"}) {
		t.Fatalf("after delete Keys = %v", got)
	}
}

func TestStart_WrongCredentialsRejected(t *testing.T) {
	t.Parallel()
	srv := Start(t)
	c := NewClient(srv.Endpoint, srv.AccessKey, "not-the-secret")
	_, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket)})
	if err == nil {
		t.Fatal("list with a wrong secret succeeded")
	}
}

func TestStop_EndpointGoesAway(t *testing.T) {
	t.Parallel()
	srv := Start(t)
	srv.Stop()
	srv.Stop() // idempotent
	_, err := srv.Client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket)})
	if err == nil {
		t.Fatal("list after Stop succeeded")
	}
}

func TestBinary_EnvOverride(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "vgw")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(dir, "plain")
	if err := os.WriteFile(notExec, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, env, want string
	}{
		{"executable", fake, fake},
		{"not executable", notExec, ""},
		{"missing", filepath.Join(dir, "nope"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("VERSITYGW_BIN", tt.env)
			if got := Binary(); got != tt.want {
				t.Fatalf("Binary() = %q, want %q", got, tt.want)
			}
		})
	}
}
