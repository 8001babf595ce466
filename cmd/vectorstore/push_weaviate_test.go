package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/weaviatestore"
	"github.com/vendor0919/api/internal/weaviatetest"
)

// TestPush_Weaviate publishes a native and a LangChain store through the
// command: alias moved, re-run resumed, rollback printed.
func TestPush_Weaviate(t *testing.T) {
	t.Parallel()
	srv := weaviatetest.Start(t, weaviatetest.Options{APIKey: "k3y"})
	getenv := func(k string) string {
		return map[string]string{"WEAVIATE_API_KEY": "k3y", "WEAVIATE_GRPC_ADDR": srv.GRPCAddr}[k]
	}
	to := "weaviate://" + srv.Host + "/Cmd"
	native := writePushStore(t, "v1")
	lc := "../../internal/store/testdata/langchain/flat_l2_pydantic_v2"
	steps := []struct {
		name, dir string
		want      []string
	}{
		{"native", native, []string{"pushed    " + native, "alias      Cmd -> Cmd_v", "collection Cmd_v"}},
		{"native again", native, []string{"(resumed)"}},
		{"langchain", lc, []string{"alias      Cmd -> Cmd_v", "roll back: curl -X PUT " + srv.URL + "/v1/aliases/Cmd"}},
	}
	for _, st := range steps {
		var out, errOut bytes.Buffer
		code := runMain(context.Background(), []string{"push", "--dir", st.dir, "--to", to, "--index", "flat"}, getenv, &out, &errOut)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s\n%s", st.name, code, out.String(), errOut.String())
		}
		for _, w := range st.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", st.name, w, out.String())
			}
		}
		if !strings.Contains(errOut.String(), "upserted") {
			t.Errorf("%s: no progress on stderr: %s", st.name, errOut.String())
		}
	}
	// Without the key the server refuses, and the command says so.
	var out, errOut bytes.Buffer
	if code := runMain(context.Background(), []string{"push", "--dir", native, "--to", to}, func(string) string { return "" }, &out, &errOut); code == 0 {
		t.Errorf("push without the API key succeeded:\n%s", out.String())
	}
}

func TestPush_WeaviateUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"push", "--dir", "x", "--to", "weaviate://h:1/lower"},
		{"push", "--dir", "x", "--to=weaviate://h:1/Docs", "--index", "ivf"},
		{"push", "--to", "weaviate://h:1/Docs"},
		{"push", "--dir", "x", "--to", "weaviate://h:1/Docs", "--batch", "0"},
	} {
		if !weaviatestore.IsTarget(args) {
			t.Errorf("%v: not recognised as a Weaviate push", args)
		}
		var out, errOut bytes.Buffer
		if code := runMain(context.Background(), args, func(string) string { return "" }, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, code, errOut.String())
		}
	}
	if weaviatestore.IsTarget([]string{"push", "--dir", "x", "--to", "s3://b/p"}) {
		t.Error("an S3 push taken for Weaviate")
	}
}
