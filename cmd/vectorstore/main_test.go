package main

import (
	"bytes"
	"context"
	"testing"
)

// runCmd runs the vectorstore command line in-process, as main would, and
// returns what it wrote and its exit code. Every end-to-end test of a
// command goes through it, with an empty environment.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runMain(context.Background(), args, func(string) string { return "" }, &out, &errb)
	return out.String(), errb.String(), code
}
