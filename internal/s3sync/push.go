package s3sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/store"
)

// metaSHA256 is the user metadata key (x-amz-meta-sha256) Push stores on
// every data object, so a later Push can skip unchanged files.
const metaSHA256 = "sha256"

// PushResult describes a Push.
type PushResult struct {
	// URI is the normalised destination, s3://bucket/prefix/.
	URI string
	// Version is the manifest's version label.
	Version string
	// Files counts the data files in the store (manifest not included);
	// Uploaded + Skipped == Files.
	Files, Uploaded, Skipped int
	// Bytes is the number of data bytes uploaded (manifest included).
	Bytes int64
	// Took is the wall time of the whole Push, retries included.
	Took time.Duration
	// Attempts is the number of attempts made.
	Attempts int
}

// Push publishes the native store in dir to the prefix: it verifies dir
// against its manifest, uploads the data files that are not already on S3
// with the same size and SHA-256, and uploads the manifest last. Objects
// under the prefix that the manifest does not list are left alone. A
// folder whose format has no manifest (package store says which) is
// refused with an error wrapping ErrFormat; one that fails verification,
// ErrVerify. Another push to the prefix meanwhile is ErrConflict (see the
// package documentation).
func (s *Syncer) Push(ctx context.Context, dir string) (PushResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	res := PushResult{URI: s.uri}
	lay, err := store.Detect(dir, "")
	if err != nil {
		return res, fmt.Errorf("%w: push %s: %w", ErrFormat, dir, err)
	}
	if lay.Manifest == "" {
		return res, fmt.Errorf("%w: push %s: a %s store has no manifest to publish last (only native stores can be pushed)",
			ErrFormat, dir, lay.Format)
	}
	c, err := store.VerifyDir(dir, "")
	if err != nil {
		return res, fmt.Errorf("%w: push %s: %w", ErrVerify, dir, err)
	}
	manifestBytes, err := os.ReadFile(filepath.Join(dir, c.Manifest))
	if err != nil {
		return res, fmt.Errorf("s3sync: push: read manifest: %w", err)
	}
	// The manifest published must be the one verified: a build may have
	// replaced the folder in between.
	var listed struct {
		Files map[string]store.FileInfo `json:"files"`
	}
	if err := json.Unmarshal(manifestBytes, &listed); err != nil || !maps.Equal(listed.Files, c.Files) {
		return res, fmt.Errorf("%w: push %s: %s changed while it was verified; push again", ErrVerify, dir, c.Manifest)
	}
	res.Version = c.Version
	res.Files = len(c.Files)
	// The manifest this push replaces: it is written only if that one is
	// still there (a conditional PUT), so a push that published meanwhile
	// is not overwritten.
	var prev string
	if _, err := s.retry(ctx, "push", func(ctx context.Context) error {
		var err error
		prev, err = s.manifestETag(ctx, c.Manifest)
		return err
	}); err != nil {
		return res, err
	}

	res.Attempts, err = s.retry(ctx, "push", func(ctx context.Context) error {
		uploaded, skipped, n, err := s.pushOnce(ctx, dir, c, manifestBytes, prev)
		res.Uploaded, res.Skipped, res.Bytes = uploaded, skipped, n
		return err
	})
	res.Took = time.Since(start)
	if err != nil {
		return res, err // the caller reports it
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "push done", slog.String("uri", s.uri), slog.String("dir", dir),
		slog.String("version", res.Version), slog.Int("files", res.Files), slog.Int("uploaded", res.Uploaded),
		slog.Int("skipped", res.Skipped), slog.Int64("bytes", res.Bytes), slog.Float64("took_ms", logctx.Millis(res.Took)))
	return res, nil
}

// pushOnce is one attempt of Push: data files (in parallel), then the
// manifest.
func (s *Syncer) pushOnce(ctx context.Context, dir string, c store.Contents, manifestBytes []byte, prev string) (uploaded, skipped int, n int64, err error) {
	names := slices.Sorted(maps.Keys(c.Files))
	up := make([]bool, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency)
	for i, name := range names {
		g.Go(func() error {
			want := c.Files[name]
			key := s.prefix + name
			if s.remoteHas(gctx, key, want) {
				return nil
			}
			f, err := openVerified(filepath.Join(dir, name), want)
			if err != nil {
				return err
			}
			defer func() { _ = f.Close() }() // read-only
			_, err = s.tm.UploadObject(gctx, &transfermanager.UploadObjectInput{
				Bucket:        aws.String(s.bucket),
				Key:           aws.String(key),
				Body:          f,
				ContentLength: aws.Int64(want.Size),
				ContentType:   aws.String("application/octet-stream"),
				Metadata:      map[string]string{metaSHA256: want.SHA256},
			})
			if err != nil {
				return s3Error("upload "+key, err)
			}
			up[i] = true
			return nil
		})
	}
	err = g.Wait()
	for i, name := range names {
		if up[i] {
			uploaded++
			n += c.Files[name].Size
		} else if err == nil {
			skipped++
		}
	}
	if err != nil {
		return uploaded, skipped, n, err
	}
	// Every data file is in place, unless another push overwrote one
	// meanwhile: only then publish the manifest.
	if err := s.checkPublished(ctx, c, nil); err != nil {
		return uploaded, skipped, n, err
	}
	key := s.prefix + c.Manifest
	in := &transfermanager.UploadObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(manifestBytes),
		ContentLength: aws.Int64(int64(len(manifestBytes))),
		ContentType:   aws.String("application/json"),
	}
	if prev == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(prev)
	}
	if _, err = s.tm.UploadObject(ctx, in); err != nil {
		err = s3Error("publish "+key, err)
		// An attempt whose answer was lost may have written it: then
		// the manifest there is this one.
		if errors.Is(err, ErrConflict) && s.checkPublished(ctx, c, manifestBytes) == nil {
			err = nil
		}
	}
	if err != nil {
		return uploaded, skipped, n, err
	}
	n += int64(len(manifestBytes))
	// A push that ran at the same time may have written its files or its
	// manifest after the checks above: say so rather than report success.
	return uploaded, skipped, n, s.checkPublished(ctx, c, manifestBytes)
}

// manifestETag returns the ETag of the manifest under the prefix, "" if
// there is none. It lists rather than HEADs: S3 answers a HEAD of a
// missing key 403, not 404, to a role whose s3:ListBucket is limited to
// the prefix by condition (as deploy/iam's), which would stop the first
// push to an empty prefix.
func (s *Syncer) manifestETag(ctx context.Context, name string) (string, error) {
	key := s.prefix + name
	out, err := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(key), MaxKeys: aws.Int32(1)})
	if err != nil {
		return "", s3Error("list "+key, err)
	}
	for _, o := range out.Contents {
		if aws.ToString(o.Key) == key {
			return aws.ToString(o.ETag), nil
		}
	}
	return "", nil
}

// checkPublished confirms that every data file of c is on S3 as this push
// left it (size and SHA-256 tag) and, unless manifest is nil, that the
// manifest is these bytes. A difference is ErrConflict: S3 has no lock,
// so two pushes to one prefix at once can leave one's manifest over the
// other's files, which Sync would refuse; each push finds out here.
func (s *Syncer) checkPublished(ctx context.Context, c store.Contents, manifest []byte) error {
	for _, name := range slices.Sorted(maps.Keys(c.Files)) {
		want := c.Files[name]
		out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + name)})
		if err != nil {
			return s3Error("check "+s.prefix+name, err)
		}
		if aws.ToInt64(out.ContentLength) != want.Size || out.Metadata[metaSHA256] != want.SHA256 {
			return fmt.Errorf("%w: %s is no longer the file this push uploaded (sha256 tag %q, want %s); push again",
				ErrConflict, name, out.Metadata[metaSHA256], want.SHA256)
		}
	}
	if manifest == nil {
		return nil
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + c.Manifest)})
	if err != nil {
		return s3Error("check "+s.prefix+c.Manifest, err)
	}
	defer func() { _ = out.Body.Close() }()
	got, err := io.ReadAll(io.LimitReader(out.Body, int64(len(manifest))+1))
	if err != nil {
		return s3Error("check "+s.prefix+c.Manifest, err)
	}
	if !bytes.Equal(got, manifest) {
		return fmt.Errorf("%w: %s is another push's; push again", ErrConflict, c.Manifest)
	}
	return nil
}

// openVerified opens path and checks, on the open file, that it holds
// want (size and SHA-256), then rewinds it: the bytes uploaded are the
// bytes hashed, so the object's SHA-256 tag (which remoteHas trusts at
// the next push) is true even when a build replaced the folder after it
// was verified. A build replaces files by renaming, which an open file
// does not see.
func openVerified(path string, want store.FileInfo) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("s3sync: push: open %s: %w", filepath.Base(path), err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("s3sync: push: read %s: %w", filepath.Base(path), err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != want.Size || got != want.SHA256 {
		_ = f.Close()
		return nil, fmt.Errorf("%w: push: %s changed since it was verified (%d bytes, sha256 %s; the manifest says %d, %s); push again",
			ErrVerify, filepath.Base(path), n, got, want.Size, want.SHA256)
	}
	return f, nil
}

// remoteHas reports whether key exists with want's size and SHA-256 (as
// recorded by an earlier Push). Any error means "no": the file is uploaded.
func (s *Syncer) remoteHas(ctx context.Context, key string, want store.FileInfo) bool {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return false
	}
	return aws.ToInt64(out.ContentLength) == want.Size && out.Metadata[metaSHA256] == want.SHA256
}
