package awsbedrock

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go/eventstream"
)

// TestNew_MaxResponseBytes: an InvokeModel body of up to
// MaxResponseBytes comes back whole; one byte more fails with
// ErrResponseTooLarge, as a non-2xx body over the cap does; zero means no
// cap.
func TestNew_MaxResponseBytes(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	const limit = 1 << 10
	for _, tc := range []struct {
		name    string
		limit   int64
		status  int
		size    int
		wantErr bool
	}{
		{"under", limit, 200, limit - 1, false},
		{"at", limit, 200, limit, false},
		{"one over", limit, 200, limit + 1, true},
		{"far over", limit, 200, 64 * limit, true},
		{"error body over", limit, 500, limit + 1, true},
		{"no cap", 0, 200, 2 * limit, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := bytes.Repeat([]byte("x"), tc.size)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(tc.status)
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			c, err := New(context.Background(), Config{Region: "us-east-1", BaseEndpoint: srv.URL, MaxResponseBytes: tc.limit,
				Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", "")})
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
				ModelId: aws.String("m"), Body: []byte("{}"), ContentType: aws.String("application/json"),
			})
			if tc.wantErr {
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("err %v, want %v", err, ErrResponseTooLarge)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Body, body) {
				t.Fatalf("body of %d bytes, want %d", len(out.Body), len(body))
			}
		})
	}
}

// TestNew_MaxResponseBytesSparesEventStreams: a ConverseStream's event
// stream, which its reader takes a message at a time and bounds itself,
// is not cut at MaxResponseBytes; a Converse body over it is.
func TestNew_MaxResponseBytesSparesEventStreams(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	const limit, deltas = 1 << 10, 64 // 64 deltas of 40 bytes of text: twice the cap
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if !strings.HasSuffix(r.URL.Path, "/converse-stream") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"output":{"message":{"role":"assistant","content":[{"text":"` + strings.Repeat("x", 2*limit) + `"}]}},"stopReason":"end_turn"}`))
			return
		}
		w.Header().Set("Content-Type", eventStream)
		enc := eventstream.NewEncoder()
		event := func(typ, payload string) {
			var m eventstream.Message
			m.Headers.Set(":message-type", eventstream.StringValue("event"))
			m.Headers.Set(":event-type", eventstream.StringValue(typ))
			m.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			m.Payload = []byte(payload)
			if err := enc.Encode(w, m); err != nil {
				t.Errorf("encode: %v", err)
			}
		}
		event("messageStart", `{"role":"assistant"}`)
		for range deltas {
			event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"`+strings.Repeat("y", 40)+`"}}`)
		}
		event("messageStop", `{"stopReason":"end_turn"}`)
	}))
	defer srv.Close()
	c, err := New(context.Background(), Config{Region: "us-east-1", BaseEndpoint: srv.URL, MaxResponseBytes: limit,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", "")})
	if err != nil {
		t.Fatal(err)
	}
	msgs := []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "q"}}}}
	if _, err := c.Converse(context.Background(), &bedrockruntime.ConverseInput{ModelId: aws.String("m"), Messages: msgs}); !errors.Is(err, ErrResponseTooLarge) {
		t.Errorf("Converse over the cap: %v, want %v", err, ErrResponseTooLarge)
	}
	out, err := c.ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{ModelId: aws.String("m"), Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	st := out.GetStream()
	defer st.Close()
	var text strings.Builder
	for ev := range st.Events() {
		if d, ok := ev.(*types.ConverseStreamOutputMemberContentBlockDelta); ok {
			if tx, ok := d.Value.Delta.(*types.ContentBlockDeltaMemberText); ok {
				text.WriteString(tx.Value)
			}
		}
	}
	if err := st.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	if text.Len() != deltas*40 {
		t.Errorf("stream text of %d bytes, want %d", text.Len(), deltas*40)
	}
}
