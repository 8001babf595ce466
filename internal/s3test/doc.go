// Package s3test starts a real S3 server for tests: the versitygw gateway
// with its posix backend over a temporary folder, listening on a free
// 127.0.0.1 port.
//
// # Use
//
//	srv := s3test.Start(t)           // skips the test if versitygw is missing
//	srv.Put(t, "prefix/a.bin", data)  // seed objects
//	client := srv.Client              // an *s3.Client aimed at srv
//
// The server stops when the test (and its subtests) finish, through
// t.Cleanup. Each Server has its own folder, credentials and bucket, so
// parallel tests do not see each other's objects.
//
// # Finding versitygw
//
// Binary looks in this order: the VERSITYGW_BIN environment variable, a
// "versitygw" on PATH, then $XDG_CACHE_HOME/vendor0919/bin/versitygw (or
// $HOME/.cache/...), where scripts/versitygw.sh installs it. If none is
// found the test is skipped, unless VENDOR0919_REQUIRE_TOOLS=1, in which
// case it fails: CI sets that so a missing tool cannot pass silently.
//
// Reading environment variables here is deliberate: this is test-only
// wiring, not service configuration.
package s3test
