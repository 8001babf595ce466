package s3sync

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/s3test"
)

// listPage is one ListObjectsV2 answer of fakeLister.
type listPage struct {
	keys, prefixes []string // full keys and common prefixes
	next           string   // NextContinuationToken
	truncated      bool
}

// fakeLister serves ListObjectsV2 for bucket "b" with page(token), token
// being the request's continuation-token ("" on the first request), and
// counts the requests. No real server misbehaves on demand, so the
// listings of a broken one are made here. After limit requests it ends
// the listing, so a client that does not stop on its own fails the test
// instead of hanging it.
func fakeLister(t *testing.T, limit int64, page func(token string) listPage) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Query().Get("list-type") != "2" {
			http.Error(w, "only ListObjectsV2", http.StatusNotImplemented)
			return
		}
		p := listPage{}
		if n.Add(1) <= limit {
			p = page(r.URL.Query().Get("continuation-token"))
		}
		type content struct {
			Key  string
			Size int64
			ETag string
		}
		type prefix struct{ Prefix string }
		body := struct {
			XMLName               xml.Name `xml:"ListBucketResult"`
			Name                  string
			Prefix                string
			KeyCount              int
			MaxKeys               int
			IsTruncated           bool
			NextContinuationToken string    `xml:",omitempty"`
			Contents              []content `xml:"Contents"`
			CommonPrefixes        []prefix  `xml:"CommonPrefixes"`
		}{Name: "b", Prefix: r.URL.Query().Get("prefix"), KeyCount: len(p.keys) + len(p.prefixes), MaxKeys: 1000,
			IsTruncated: p.truncated, NextContinuationToken: p.next}
		for _, k := range p.keys {
			body.Contents = append(body.Contents, content{Key: k, Size: 1, ETag: `"abc"`})
		}
		for _, c := range p.prefixes {
			body.CommonPrefixes = append(body.CommonPrefixes, prefix{c})
		}
		w.Header().Set("Content-Type", "application/xml")
		if err := xml.NewEncoder(w).Encode(body); err != nil {
			t.Errorf("fake lister: %v", err)
		}
	}))
	t.Cleanup(hs.Close)
	return hs, &n
}

// fakeSyncer returns a Syncer for s3://b/p reached at endpoint.
func fakeSyncer(t *testing.T, endpoint string, attempts int) *Syncer {
	t.Helper()
	s, err := New(context.Background(), Config{
		URI: "s3://b/p", Client: s3test.NewClient(endpoint, "key", "secret"),
		MaxAttempts: attempts, RetryBase: time.Millisecond, RetryMax: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keys returns n keys under p/, named from tag and i.
func keys(tag string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("p/%s%06d", tag, from+i)
	}
	return out
}

// TestList_MisbehavingServer: a server whose listing never ends (the same
// continuation token again, a truncated page without a token, or fresh
// tokens forever) is refused after a bounded number of requests instead of
// growing the listing until SYNC_TIMEOUT; an honest prefix of up to
// MaxListed entries still lists in full.
func TestList_MisbehavingServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		page      func(token string) listPage
		wantErr   error // nil: the listing succeeds
		wantNames int   // names returned on success
		maxReqs   int64 // the most requests the listing may make
	}{
		{
			name: "same token again",
			page: func(token string) listPage {
				return listPage{keys: keys("junk", 0, 1000), next: "SAMETOKEN", truncated: true}
			},
			wantErr: ErrUnreachable, maxReqs: 2,
		},
		{
			name: "truncated without a token",
			page: func(string) listPage {
				return listPage{keys: keys("k", 0, 10), truncated: true}
			},
			wantErr: ErrUnreachable, maxReqs: 1,
		},
		{
			name: "new keys forever",
			page: func(token string) listPage {
				n, _ := strconv.Atoi(token)
				return listPage{keys: keys("k", n*1000, 1000), next: strconv.Itoa(n + 1), truncated: true}
			},
			wantErr: ErrFormat, maxReqs: MaxListed/1000 + 1,
		},
		{
			name: "the same keys under alternating tokens",
			page: func(token string) listPage {
				next := map[string]string{"": "A", "A": "B", "B": "A"}[token]
				return listPage{keys: keys("k", 0, 1000), next: next, truncated: true}
			},
			wantErr: ErrFormat, maxReqs: MaxListed/1000 + 1,
		},
		{
			name: "empty pages under alternating tokens",
			page: func(token string) listPage {
				next := map[string]string{"": "A", "A": "B", "B": "A"}[token]
				return listPage{next: next, truncated: true}
			},
			wantErr: ErrFormat, maxReqs: MaxListed + 1,
		},
		{
			name: "subfolders count",
			page: func(token string) listPage {
				n, _ := strconv.Atoi(token)
				return listPage{prefixes: keys("dir", n*1000, 1000), next: strconv.Itoa(n + 1), truncated: true}
			},
			wantErr: ErrFormat, maxReqs: MaxListed/1000 + 1,
		},
		{
			name: "MaxListed entries, honest",
			page: func(token string) listPage {
				n, _ := strconv.Atoi(token)
				p := listPage{keys: keys("k", n*1000, 999), prefixes: []string{fmt.Sprintf("p/dir%d/", n)}}
				if n+1 < MaxListed/1000 {
					p.next, p.truncated = strconv.Itoa(n+1), true
				}
				return p
			},
			wantNames: MaxListed / 1000 * 999, maxReqs: MaxListed / 1000,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs, reqs := fakeLister(t, 2*tt.maxReqs+2, tt.page)
			got, err := fakeSyncer(t, hs.URL, 1).list(t.Context())
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("list: %v", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("list = %d names, err %v; want an error wrapping %v", len(got), err, tt.wantErr)
			case tt.wantErr == nil && len(got) != tt.wantNames:
				t.Errorf("list returned %d names, want %d", len(got), tt.wantNames)
			}
			if n := reqs.Load(); n > tt.maxReqs {
				t.Errorf("%d list requests, want at most %d", n, tt.maxReqs)
			}
		})
	}
}

// TestSync_TooManyObjectsNotRetried: a prefix over MaxListed is not a
// store, and another attempt would list it all again, so Sync gives up
// after one.
func TestSync_TooManyObjectsNotRetried(t *testing.T) {
	t.Parallel()
	hs, _ := fakeLister(t, 2*(MaxListed/1000+1), func(token string) listPage {
		n, _ := strconv.Atoi(token)
		return listPage{keys: keys("k", n*1000, 1000), next: strconv.Itoa(n + 1), truncated: true}
	})
	res, err := fakeSyncer(t, hs.URL, 3).Sync(t.Context(), filepath.Join(t.TempDir(), "vs"))
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("Sync: %v, want ErrFormat", err)
	}
	if res.Attempts != 1 {
		t.Errorf("%d attempts, want 1", res.Attempts)
	}
}
