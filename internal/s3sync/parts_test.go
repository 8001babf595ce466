package s3sync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
	"github.com/vendor0919/api/internal/testproc"
)

// seedNativeParts uploads a native store whose manifest records part
// hashes of partSize bytes (as store.Write does), after letting edit change
// the manifest. It returns the manifest's bytes.
func seedNativeParts(t *testing.T, srv *s3test.Server, prefix, version string, files map[string]string, partSize int64, edit func(*store.Manifest)) []byte {
	t.Helper()
	var m store.Manifest
	if err := json.Unmarshal(nativeManifest(t, version, files), &m); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, ph, err := store.HashFileParts(p, partSize)
		if err != nil {
			t.Fatal(err)
		}
		if ph != nil {
			if m.Parts == nil {
				m.Parts = map[string]store.PartHashes{}
			}
			m.Parts[name] = *ph
		}
	}
	if edit != nil {
		edit(&m)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		srv.Put(t, prefix+"/"+name, []byte(files[name]))
	}
	srv.Put(t, prefix+"/"+store.ManifestFile, b)
	return b
}

// flipByte corrupts one byte of a response body in flight, keeping its
// length, as a faulty network path or disk of the server might.
type flipByte struct {
	io.ReadCloser
	at, seen int64
}

func (f *flipByte) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	if f.at >= f.seen && f.at < f.seen+int64(n) {
		p[f.at-f.seen] ^= 0xff
	}
	f.seen += int64(n)
	return n, err
}

// TestSync_PartHashes: with part hashes in the manifest, the ranges are the
// manifest's parts whatever Config.PartSize says; every part is checked as
// it lands, so a byte corrupted in flight is caught and that range alone
// fetched again; a part hash the bytes do not match fails the sync, leaving
// the destination as it was and no debris.
func TestSync_PartHashes(t *testing.T) {
	t.Parallel()
	const part = store.MinPartSize
	size := 3*part + part/2 // four parts
	tests := []struct {
		name        string
		corruptGETs int32 // GETs of the third part answered with one byte flipped
		editPart    bool  // the manifest's third part hash is wrong
		wantErr     error
		wantGETs    int // GETs of vectors.f32
	}{
		{name: "ranges follow the manifest's parts", wantGETs: 4},
		{name: "a corrupted range is fetched again alone", corruptGETs: 1, wantGETs: 5},
		{name: "a part the bytes do not match fails the sync", editPart: true, wantErr: ErrVerify, wantGETs: 3 + DefaultPartAttempts},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := maps.Clone(v1Files)
			files["vectors.f32"] = noise(uint64(100+i), size)
			srv := s3test.Start(t)
			var edit func(*store.Manifest)
			if tt.editPart {
				edit = func(m *store.Manifest) {
					ph := m.Parts["vectors.f32"]
					ph.SHA256 = slices.Clone(ph.SHA256)
					ph.SHA256[2] = strings.Repeat("0", 64)
					m.Parts["vectors.f32"] = ph
				}
			}
			manifest := seedNativeParts(t, srv, "p", "v1", files, part, edit)
			px := newProxy(t, srv.Endpoint)
			var log rangeLog
			third := fmt.Sprintf("bytes=%d-%d", 2*part, 3*part-1)
			var corrupt atomic.Int32
			corrupt.Store(tt.corruptGETs)
			px.set(func(r *http.Request) int {
				if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/p/vectors.f32") {
					log.add(r.Header.Get("Range"))
				}
				return 0
			}, func(r *http.Request, resp *http.Response) {
				if r.Header.Get("Range") == third && corrupt.Add(-1) >= 0 {
					resp.Body = &flipByte{ReadCloser: resp.Body, at: 12345}
				}
			})
			// A part size of its own that the manifest's parts override;
			// two sync attempts, of which a part that does not match its
			// hash after every part attempt must not use the second.
			s := newRangedSyncer(t, srv, px.URL, "p", 2, 3*part, 4)
			parent := t.TempDir()
			dst := filepath.Join(parent, "vs")
			_, err := s.Sync(context.Background(), dst)
			ranges := log.get()
			if len(ranges) != tt.wantGETs {
				t.Errorf("%d GETs of vectors.f32 (%v), want %d", len(ranges), ranges, tt.wantGETs)
			}
			for _, r := range ranges {
				var from, to int64
				if _, err := fmt.Sscanf(r, "bytes=%d-%d", &from, &to); err != nil || from%part != 0 || (to+1)%part != 0 && to+1 != int64(size) {
					t.Errorf("range %q is not one of the manifest's parts", r)
				}
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Sync: %v, want %v", err, tt.wantErr)
				}
				assertOnly(t, parent)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := maps.Clone(files)
			want[store.ManifestFile] = string(manifest)
			got := readTree(t, dst)
			delete(got, store.VerifiedFile)
			if !maps.Equal(got, want) {
				t.Fatal("synced folder differs from the objects")
			}
		})
	}
}

// TestSync_Durability: by default the sync does not wait for the disk and
// records its downloads' checksums for this boot only; Config.Durable
// fsyncs and records them for good. Either way the next open of the folder
// trusts the record.
func TestSync_Durability(t *testing.T) {
	t.Parallel()
	if !store.CanRecordUntilReboot() {
		t.Skip("no kernel boot id here: every sync is durable")
	}
	for _, durable := range []bool{false, true} {
		t.Run(fmt.Sprintf("durable=%v", durable), func(t *testing.T) {
			t.Parallel()
			files := maps.Clone(v1Files)
			files["vectors.f32"] = noise(7, 2*store.MinPartSize) // over the record's 1 MiB floor
			srv := s3test.Start(t)
			seedNativeParts(t, srv, "p", "v1", files, store.MinPartSize, nil)
			s, err := New(context.Background(), Config{
				URI:     "s3://" + srv.Bucket + "/p",
				Client:  s3test.NewClient(srv.Endpoint, srv.AccessKey, srv.SecretKey),
				Durable: durable,
			})
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(t.TempDir(), "vs")
			if _, err := s.Sync(context.Background(), dst); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(dst, store.VerifiedFile))
			if err != nil {
				t.Fatal(err)
			}
			var rec struct {
				Files  map[string]json.RawMessage `json:"files"`
				BootID string                     `json:"boot_id"`
			}
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Fatal(err)
			}
			if len(rec.Files) != len(files) || (rec.BootID == "") != durable {
				t.Fatalf("record of %d files, boot id %q; want %d files and a boot id unless durable", len(rec.Files), rec.BootID, len(files))
			}
			if !bytes.Contains(b, []byte(`"vectors.f32"`)) {
				t.Fatal("the vector file is not recorded")
			}
		})
	}
}

// TestNew_SDKLogsGoToTheLogger: the client New builds logs through the
// Syncer's slog logger, not the SDK's plain-text stderr logger, so the
// service's log stays JSON. The SDK says at debug level, for each ranged
// GET, that the answer carries no checksum.
func TestNew_SDKLogsGoToTheLogger(t *testing.T) {
	srv := s3test.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	files := maps.Clone(v1Files)
	files["vectors.f32"] = noise(3, 5000)
	seedNative(t, srv, "p", "v1", files)
	var buf testproc.Output // safe for the logger's concurrent writes
	s, err := New(context.Background(), Config{
		URI: "s3://" + srv.Bucket + "/p", Endpoint: srv.Endpoint, PathStyle: true, Region: srv.Region,
		PartSize: 1000, MaxAttempts: 1,
		Logger: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sync(context.Background(), filepath.Join(t.TempDir(), "vs")); err != nil {
		t.Fatal(err)
	}
	var sdk int
	for line := range strings.Lines(buf.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON record: %q", line)
		}
		if msg, _ := rec["msg"].(string); strings.HasPrefix(msg, "aws sdk: ") {
			sdk++
		}
	}
	if sdk == 0 {
		t.Fatalf("no SDK record reached the logger:\n%s", buf.String())
	}
}

// TestSync_ManifestTooLarge: a listed manifest over store.MaxManifestBytes
// fails the sync as a format error, without a download or a retry.
func TestSync_ManifestTooLarge(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	srv.Put(t, "p/vectors.f32", []byte("v"))
	srv.Put(t, "p/"+store.ManifestFile, bytes.Repeat([]byte(" "), store.MaxManifestBytes+1))
	px := newProxy(t, srv.Endpoint)
	s := newRangedSyncer(t, srv, px.URL, "p", 3, 0, 0)
	parent := t.TempDir()
	if _, err := s.Sync(context.Background(), filepath.Join(parent, "vs")); !errors.Is(err, ErrFormat) {
		t.Fatalf("Sync: %v, want ErrFormat", err)
	}
	if gets := px.requests(http.MethodGet); len(gets) != 1 { // the one listing
		t.Fatalf("requests %v, want the listing only", gets)
	}
	assertOnly(t, parent)
}
