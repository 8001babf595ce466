package api

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vendor0919/api/internal/httpapi"
)

func TestContract_MatchesServedSpec(t *testing.T) {
	t.Parallel()
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	served, err := httpapi.OpenAPI3()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, served) {
		t.Fatal("api/openapi.json differs from what the server serves: run make docs")
	}
}

func TestContract_ValidOpenAPI3(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI 3 document: %v", err)
	}
	for path, methods := range map[string][]string{
		"/health": {"GET"}, "/ready": {"GET"}, "/search": {"POST"}, "/query": {"POST"},
		"/vectorstore": {"GET"}, "/admin/reload": {"POST"},
	} {
		item := doc.Paths.Find(path)
		if item == nil {
			t.Errorf("%s missing", path)
			continue
		}
		for _, m := range methods {
			if item.GetOperation(m) == nil {
				t.Errorf("%s %s missing", m, path)
			}
		}
	}
	op := doc.Paths.Find("/query").Post
	if op.RequestBody == nil || op.Responses.Status(422) == nil {
		t.Errorf("/query lacks its body or 422 response")
	}
}
