package weaviatestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

func TestPropName(t *testing.T) {
	t.Parallel()
	valid := regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)
	tests := []struct{ key, want string }{
		{"lang", "md_lang"},
		{"page_no", "md_page_no"},
		{"odd-key", "mx_6f64642d6b6579"},
		{"言語", "mx_e8a880e8aa9e"},
		{"", ""},
		{strings.Repeat("k", maxFieldKey+1), ""},
	}
	for _, tt := range tests {
		got := propName(tt.key)
		if got != tt.want {
			t.Errorf("propName(%q) = %q, want %q", tt.key, got, tt.want)
		}
		if got != "" && !valid.MatchString(got) {
			t.Errorf("propName(%q) = %q is no Weaviate property name", tt.key, got)
		}
	}
}

func TestFieldsOf(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", maxFieldKey+1)
	chunks := []docmodel.Chunk{
		{Metadata: map[string]any{"s": "a", "n": 1.0, "b": true, "mixed": "x", "list": []any{"a"}, "null": nil, "nn": nil,
			"padded": "a", "big": json.Number("9007199254740992"), "Key": "x", "key": "y", long: "z", "": "e", "dec": json.Number("0.1")}},
		{Metadata: map[string]any{"s": "b", "n": json.Number("2"), "b": false, "mixed": 2.0, "nn": 3.0,
			"padded": " a", "big": json.Number("9007199254740993")}},
	}
	got := fieldsOf(len(chunks), func(i int) map[string]any { return chunks[i].Metadata })
	want := map[string]Field{
		"s": {Prop: "md_s", Type: TypeText, Wrap: true}, "n": {Prop: "md_n", Type: TypeNumber}, "b": {Prop: "md_b", Type: TypeBoolean},
		"mixed": {Why: whyMixed}, "list": {Why: whyMixed}, "null": {Prop: "md_null", Type: TypeText, Wrap: true}, "nn": {Prop: "md_nn", Type: TypeNumber},
		// Wrapped, white space at either end is compared, not trimmed.
		"padded": {Prop: "md_padded", Type: TypeText, Wrap: true},
		// Each of these would make Weaviate answer a filter other than
		// the embedded store (or refuse the collection).
		"big": {Why: whyInexact}, "dec": {Why: whyInexact},
		"Key": {Why: whyCase}, "key": {Why: whyCase}, long: {Why: whyLongKey}, "": {Why: whyEmptyKey},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("field %q = %+v, want %+v", k, got[k], w)
		}
	}
}

func TestObjectID_Deterministic(t *testing.T) {
	t.Parallel()
	a, b := objectID("doc#1"), objectID("doc#1")
	if a != b || a == objectID("doc#2") {
		t.Fatalf("ids %s %s %s", a, b, objectID("doc#2"))
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(a) {
		t.Errorf("%s is no UUID v5", a)
	}
}

func TestWhere(t *testing.T) {
	t.Parallel()
	// lang as a collection pushed before Field.Wrap holds it, src as one
	// pushed since.
	fields := map[string]Field{"lang": {Prop: "md_lang", Type: TypeText}, "src": {Prop: "md_src", Type: TypeText, Wrap: true},
		"page": {Prop: "md_page", Type: TypeNumber}, "ok": {Prop: "md_ok", Type: TypeBoolean}, "mixed": {}}
	tests := []struct {
		name   string
		filter map[string]any
		want   string // the where filter's String(), "" for none; "NONE" when nothing can pass
		err    bool
	}{
		{"empty", nil, "", false},
		{"equality", map[string]any{"lang": "en"}, `where:{operator: Equal path: ["md_lang"] valueText: "en"}`, false},
		{"in", map[string]any{"page": map[string]any{"$in": []any{1.0, json.Number("2")}}}, `where:{operator: Or operands:[{operator: Equal path: ["md_page"] valueNumber: 1},{operator: Equal path: ["md_page"] valueNumber: 2}]}`, false},
		{"nin is not in", map[string]any{"ok": map[string]any{"$nin": []any{true}}}, `where:{operator: Not operands:[{operator: Equal path: ["md_ok"] valueBoolean: true}]}`, false},
		{"null is IsNull", map[string]any{"lang": nil}, `where:{operator: IsNull path: ["md_lang"] valueBoolean: true}`, false},
		{"wrong type never equal", map[string]any{"lang": 5.0}, "NONE", false},
		{"wrong type ne passes all", map[string]any{"lang": map[string]any{"$ne": 5.0}}, "", false},
		{"unknown field", map[string]any{"nosuch": "x"}, "NONE", false},
		{"unknown field nin", map[string]any{"nosuch": map[string]any{"$nin": []any{"x"}}}, "", false},
		{"mixed refused", map[string]any{"mixed": "x"}, "", true},
		{"wrapped", map[string]any{"src": " a.md"}, `where:{operator: Equal path: ["md_src"] valueText: "| a.md|"}`, false},
		{"padded value, unwrapped field, matches nothing", map[string]any{"lang": "en "}, "NONE", false},
		{"padded value, unwrapped field, ne passes all", map[string]any{"lang": map[string]any{"$ne": " en"}}, "", false},
		{"number no float64 holds", map[string]any{"page": json.Number("9007199254740993")}, "NONE", false},
		{"ne of a number no float64 holds", map[string]any{"page": map[string]any{"$ne": json.Number("9007199254740993")}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := rag.ParseFilter(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			w, none, err := where(f, fields)
			if tt.err {
				var re *rag.RequestError
				if !errors.As(err, &re) {
					t.Fatalf("err %v, want a *rag.RequestError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			switch {
			case none:
				got = "NONE"
			case w != nil:
				got = w.String()
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, url, alias string
		ok             bool
	}{
		{"weaviate://127.0.0.1:8080/Docs", "http://127.0.0.1:8080", "Docs", true},
		{"weaviates://wv.internal:443/Docs_prod", "https://wv.internal:443", "Docs_prod", true},
		{"weaviate://h:1/docs", "", "", false},
		{"weaviate://h:1/", "", "", false},
		{"weaviate:///Docs", "", "", false},
		{"s3://b/p", "", "", false},
		{"weaviate://h:1/Do-cs", "", "", false},
	}
	for _, tt := range tests {
		u, a, err := ParseTarget(tt.in)
		if (err == nil) != tt.ok || u != tt.url || a != tt.alias {
			t.Errorf("ParseTarget(%q) = %q %q %v", tt.in, u, a, err)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"weaviate://127.0.0.1:8080/Docs", "weaviates://h/D", "weaviate://%zz/D", "", "weaviate://h:1/D/E"} {
		f.Add(s)
	}
	valid := regexp.MustCompile(`^[A-Z][_0-9A-Za-z]{0,99}$`)
	f.Fuzz(func(t *testing.T, s string) {
		u, a, err := ParseTarget(s)
		if err != nil {
			return
		}
		if !valid.MatchString(a) || (!strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://")) {
			t.Fatalf("ParseTarget(%q) = %q %q", s, u, a)
		}
	})
}

func FuzzIsTarget(f *testing.F) {
	for _, s := range []string{"--to weaviate://h:1/D", "--to=weaviates://h/D", "-to s3://b/p", "--to", "--dir x --to"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Fields(s)
		got := IsTarget(args)
		// It never panics, and says yes only when a --to value names Weaviate.
		if got && !strings.Contains(s, "weaviate") {
			t.Fatalf("IsTarget(%q) = true", args)
		}
	})
}

// TestConn_HTTPSNeedsTheUnverifiedOptIn: the official client never
// verifies gRPC certificates, so an https:// URL is refused unless the
// operator accepted that; http:// and the opt-in build a client (no
// request is needed to build one).
func TestConn_HTTPSNeedsTheUnverifiedOptIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		optIn   bool
		wantErr error
	}{
		{"https://wv.internal:8443", false, ErrUnverifiedTLS},
		{"https://wv.internal:8443", true, nil},
		{"http://127.0.0.1:1", false, nil},
	}
	for _, tt := range tests {
		_, err := Conn{URL: tt.url, UnverifiedGRPCTLS: tt.optIn}.client()
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s opt-in %v: error %v, want %v", tt.url, tt.optIn, err, tt.wantErr)
		}
	}
}

// TestErrorClasses: which failures are retried and which are a 503. A
// result past gRPC's message limit was retried as "unavailable"; a
// rejected API key and a pruned collection were 500s.
func TestErrorClasses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                   string
		err                    error
		transient, unavailable bool
	}{
		{"gRPC unavailable", status.Error(codes.Unavailable, "connection refused"), true, true},
		{"deadline", context.DeadlineExceeded, true, true},
		{"a shard's replica down", status.Error(codes.Unknown, "cannot reach enough replicas"), true, true},
		{"throttled", status.Error(codes.ResourceExhausted, "too many requests"), true, true},
		{"result past the message limit", status.Error(codes.ResourceExhausted, "grpc: received message larger than max (120011772 vs. 104858000)"), false, true},
		{"rejected API key", status.Error(codes.Unauthenticated, "extract auth: unauthorized: invalid api key"), false, true},
		{"forbidden", status.Error(codes.PermissionDenied, "forbidden"), false, true},
		{"pruned collection", status.Error(codes.Unknown, "could not find class Demo_vc2aa0123456789ab in schema"), false, true},
		{"a bad request", status.Error(codes.InvalidArgument, "no such prop with name 'text'"), false, false},
		{"a bad request naming a collection with such a word", status.Error(codes.Unknown, "explorer: ConnectionTimeout_v0123456789abcdef: no such prop with name 'md_x'"), false, false},
		{"other", errors.New("decode: bad json"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := transient(tt.err); got != tt.transient {
				t.Errorf("transient = %v, want %v", got, tt.transient)
			}
			if got := unavailable(tt.err); got != tt.unavailable {
				t.Errorf("unavailable = %v, want %v", got, tt.unavailable)
			}
		})
	}
	if !classGone(status.Error(codes.Unknown, "could not find class X_v0123456789abcdef in schema")) || classGone(errors.New("could not find class")) {
		t.Error("classGone: a gRPC status naming a missing class, and nothing else")
	}
}

// TestPushedFor: prune deletes only the collections Push made for its
// alias; alias Prod_v2's were taken for Prod's.
func TestPushedFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alias, class string
		want         bool
	}{
		{"Prod", "Prod_v32fb9dee8c5d6c5e", true},
		{"Prod", "Prod_v2_v32fb9dee8c5d6c5e", false},
		{"Prod", "Prod_v32fb9dee8c5d6c5", false},
		{"Prod", "Prod_v32FB9DEE8C5D6C5E", false},
		{"Prod", "Prod_vzzfb9dee8c5d6c5e", false},
		{"Prod", "Prodx_v32fb9dee8c5d6c5e", false},
		{"Prod_v2", "Prod_v2_v32fb9dee8c5d6c5e", true},
	}
	for _, tt := range tests {
		if got := pushedFor(tt.alias, tt.class); got != tt.want {
			t.Errorf("pushedFor(%q, %q) = %v, want %v", tt.alias, tt.class, got, tt.want)
		}
	}
}

// TestSilentServer_Bounded: a Weaviate that accepts connections and never
// answers (a hung process, a black-holing proxy) must not hold the server's
// start-up, a search or a push past the call timeout: the official client
// asks the server's version without a deadline of its own.
func TestSilentServer_Bounded(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // read nothing, answer nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			_ = c.Close()
		}
	})
	conn := Conn{URL: "http://" + ln.Addr().String(), GRPCAddr: ln.Addr().String(), Timeout: 200 * time.Millisecond, Attempts: 1}
	steps := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"start and search", func(ctx context.Context) error {
			st, err := New(Config{Conn: conn, Collection: "Silent"})
			if err != nil {
				return fmt.Errorf("new: %w", err) // an unreachable server is no error here
			}
			// Check is the server's start-up and health check.
			if _, err := st.Check(ctx); !errors.Is(err, rag.ErrUnavailable) {
				return fmt.Errorf("check of a silent server: %w; want ErrUnavailable", err)
			}
			return nil
		}},
		{"push", func(ctx context.Context) error {
			_, err := Push(ctx, "../demo/store", store.OpenOptions{}, PushOptions{Conn: conn, Alias: "Silent"})
			if err == nil {
				return errors.New("push to a silent server succeeded")
			}
			return nil
		}},
	}
	for _, s := range steps {
		done := make(chan error, 1)
		go func() { done <- s.run(context.Background()) }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", s.name, err)
			}
		case <-time.After(time.Minute): // a hang, not a slow machine: each call is bounded by 200 ms
			t.Fatalf("%s: still waiting on a silent server after a minute", s.name)
		}
	}
}
