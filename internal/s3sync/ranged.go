package s3sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/vendor0919/api/internal/retry"
	"github.com/vendor0919/api/internal/store"
)

// Defaults for ranged downloads, used when the matching Config field is
// zero.
const (
	// DefaultPartSize is the byte range one GET fetches. Objects up to
	// this size take one GET.
	DefaultPartSize = 8 << 20
	// DefaultPartConcurrency is the number of GETs in flight per Syncer,
	// over all files of a sync.
	DefaultPartConcurrency = 8
	// DefaultPartAttempts is how often one part is tried within one sync
	// attempt before the attempt fails.
	DefaultPartAttempts = 3
)

// maxParts caps the ranges of one object; a larger object gets larger
// parts (S3 itself allows 10,000 parts per multipart upload).
const maxParts = 10000

// hashBufSize is the read buffer of the in-order hasher.
const hashBufSize = 1 << 20

// download fetches o into path and returns the file's SHA-256 (lower-case
// hex). Every GET carries If-Match with the listed ETag, and an answer
// with another ETag fails with ErrChanged. An object larger than the part
// size is fetched as byte ranges, PartConcurrency of them in flight over
// the whole Syncer, each written at its offset; the hash is taken in file
// order as the parts complete, so it overlaps the transfer instead of
// reading the file back afterwards, and its writeback to disk is started
// at once (startWriteback), so the swap's fsync overlaps the transfer. A
// failed part is retried alone (up to
// PartAttempts, with the Syncer's backoff: internal/retry, the one retry
// mechanism; the SDK client does not retry), except a changed ETag, which
// fails at once so the whole sync restarts from a fresh listing. On any
// error the partial file is removed: nothing half-written is left behind.
//
// With part hashes from the manifest (ph, nil if none), the ranges are
// the manifest's parts and each is checked against its hash as it arrives,
// on the goroutine that fetched it, so hashing runs on every core instead
// of one; the file's SHA-256 is then the manifest's (wantSum), vouched for
// by its parts.
func (s *Syncer) download(ctx context.Context, o object, path string, ph *store.PartHashes, wantSum string) (sum string, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o644) //nolint:gosec // G302: store files are public data, read by other tools too
	if err != nil {
		return "", fmt.Errorf("s3sync: create %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("s3sync: write %s: %w", path, cerr)
		}
		if err != nil {
			_ = os.Remove(path) // best effort: the staging folder goes too
		}
	}()
	if ph != nil && len(ph.SHA256) > 1 && len(ph.SHA256) <= maxParts {
		return wantSum, s.downloadRanges(ctx, o, f, ph.Size, ph.SHA256, nil)
	}
	if o.Size <= s.partSize {
		return s.downloadWhole(ctx, o, f)
	}
	part := s.partSize
	if n := (o.Size + part - 1) / part; n > maxParts {
		part = (o.Size + maxParts - 1) / maxParts
	}
	h := sha256.New()
	if err := s.downloadRanges(ctx, o, f, part, nil, h); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// downloadWhole fetches o with one GET (retried as a part), hashing as it
// writes.
func (s *Syncer) downloadWhole(ctx context.Context, o object, f *os.File) (string, error) {
	var sum string
	err := s.retryPart(ctx, o.Key, func(ctx context.Context) error {
		if err := s.acquire(ctx); err != nil {
			return err
		}
		defer s.release()
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("s3sync: rewind %s: %w", f.Name(), err)
		}
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("s3sync: truncate %s: %w", f.Name(), err)
		}
		h := sha256.New()
		if err := s.getRange(ctx, o, io.MultiWriter(f, h), 0, o.Size, false); err != nil {
			return err
		}
		if s.durable {
			startWriteback(f, 0, o.Size)
		}
		sum = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return sum, err
}

// downloadRanges fetches o as parts of part bytes written at their
// offsets. With partSums, each part is checked against its hash as it
// lands; otherwise h (if not nil) is fed the file in order by one
// goroutine behind the parts.
func (s *Syncer) downloadRanges(ctx context.Context, o object, f *os.File, part int64, partSums []string, h hash.Hash) error {
	if err := f.Truncate(o.Size); err != nil {
		return fmt.Errorf("s3sync: size %s: %w", f.Name(), err)
	}
	parts := int((o.Size + part - 1) / part)
	g, gctx := errgroup.WithContext(ctx)
	// Finished part indexes go to the in-order hasher (with h) and, for a
	// durable sync, to the writeback goroutine: sync_file_range blocks
	// while the disk's queue is full, and the transfer must not wait for
	// the disk; the swap's fsync waits for whatever is left. Otherwise the
	// kernel writes the pages back in its own time. Each channel exists
	// only when its reader does.
	var done, written chan int
	if h != nil {
		done = make(chan int, parts)
		g.Go(func() error { return hashInOrder(gctx, f, h, done, parts, part, o.Size) })
	}
	if s.durable {
		written = make(chan int, parts)
		g.Go(func() error {
			for range parts {
				select {
				case <-gctx.Done():
					return nil
				case i := <-written:
					off := int64(i) * part
					startWriteback(f, off, min(part, o.Size-off))
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		pg, pctx := errgroup.WithContext(gctx)
		for i := range parts {
			off := int64(i) * part
			n := min(part, o.Size-off)
			if err := s.acquire(pctx); err != nil {
				break // a part failed or ctx ended: Wait reports why
			}
			pg.Go(func() error {
				defer s.release()
				err := s.retryPart(pctx, o.Key, func(ctx context.Context) error {
					if partSums == nil {
						return s.getRange(ctx, o, io.NewOffsetWriter(f, off), off, n, true)
					}
					ph := sha256.New()
					if err := s.getRange(ctx, o, io.MultiWriter(io.NewOffsetWriter(f, off), ph), off, n, true); err != nil {
						return err
					}
					if got := hex.EncodeToString(ph.Sum(nil)); got != partSums[i] {
						return partMismatch{fmt.Errorf("%w: %s bytes %d-%d: sha256 %s, manifest says %s", ErrVerify, o.Key, off, off+n-1, got, partSums[i])}
					}
					return nil
				})
				if pm := (partMismatch{}); s.partAttempts > 1 && errors.As(err, &pm) {
					// Fetched again with If-Match and still wrong: the
					// published part is, and another sync attempt would
					// download the whole store to find it so again.
					err = fmt.Errorf("%w (%w)", err, errPublishedMismatch)
				}
				if err == nil && written != nil {
					written <- i
				}
				if err == nil && done != nil {
					done <- i
				}
				return err
			})
		}
		if err := pg.Wait(); err != nil {
			return err
		}
		return gctx.Err()
	})
	return g.Wait()
}

// partMismatch is a range whose bytes do not match the manifest's part
// hash: retried as a part (a byte corrupted in flight), and not by the
// sync once every part attempt found the same.
type partMismatch struct{ error }

func (p partMismatch) Unwrap() error { return p.error }

// hashInOrder feeds f to h part by part in file order, reading each part
// back (from the page cache, just written) once it and all before it are
// done. Part indexes arrive on done in any order.
func hashInOrder(ctx context.Context, f *os.File, h hash.Hash, done <-chan int, parts int, part, size int64) error {
	ready := make([]bool, parts)
	buf := make([]byte, min(hashBufSize, part))
	next := 0
	for next < parts {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case i := <-done:
			ready[i] = true
		}
		for next < parts && ready[next] {
			off := int64(next) * part
			r := io.NewSectionReader(f, off, min(part, size-off))
			if _, err := io.CopyBuffer(h, r, buf); err != nil {
				return fmt.Errorf("s3sync: read back %s: %w", f.Name(), err)
			}
			next++
		}
	}
	return nil
}

// getRange GETs n bytes of o at off into w. ranged asks for the range
// explicitly; otherwise the whole object is asked for. The answer must
// carry o's ETag (If-Match makes S3 refuse otherwise) and exactly n bytes.
func (s *Syncer) getRange(ctx context.Context, o object, w io.Writer, off, n int64, ranged bool) error {
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(o.Key)}
	if o.ETag != "" {
		in.IfMatch = aws.String(o.ETag)
	}
	if ranged {
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	}
	op := fmt.Sprintf("download %s bytes %d-%d", o.Key, off, off+n-1)
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		return s3Error(op, err)
	}
	defer func() { _ = out.Body.Close() }() // read-only body
	if e := aws.ToString(out.ETag); e != "" && o.ETag != "" && e != o.ETag {
		return fmt.Errorf("%w: %s: ETag %s, listed as %s", ErrChanged, op, e, o.ETag)
	}
	if cl := out.ContentLength; cl != nil && *cl != n {
		return fmt.Errorf("%w: %s: the answer holds %d bytes", ErrVerify, op, *cl)
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	got, err := io.CopyBuffer(w, &bodyReader{r: io.LimitReader(out.Body, n)}, *buf)
	var be bodyError
	switch {
	case errors.As(err, &be):
		return s3Error(op, be.err)
	case err != nil:
		return fmt.Errorf("s3sync: %s: write: %w", op, err)
	case got != n:
		return fmt.Errorf("%w: %s: body ended after %d bytes", ErrVerify, op, got)
	}
	return nil
}

// copyBufs holds the buffers getRange copies bodies through: 256 KiB, so
// a 1 GB download takes about 4,000 reads and writes instead of the
// 32,000 io.Copy's own 32 KiB buffer would make.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

const copyBufSize = 256 << 10

// bodyReader marks read errors so getRange can tell a broken connection
// from a failed local write inside io.Copy.
type bodyReader struct{ r io.Reader }

type bodyError struct{ err error }

func (e bodyError) Error() string { return e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyError{err}
	}
	return n, err
}

// retryPart runs op with the Syncer's backoff up to PartAttempts times,
// retrying what another try could fix. A changed object is not retried
// here: the sync attempt fails with ErrChanged and the next one starts
// from a fresh listing.
func (s *Syncer) retryPart(ctx context.Context, key string, op func(ctx context.Context) error) error {
	p := retry.Policy{MaxAttempts: s.partAttempts, BaseDelay: s.retryBase, MaxDelay: s.retryMax,
		OnRetry: func(n int, d time.Duration, err error) {
			s.log.LogAttrs(ctx, slog.LevelWarn, "download part failed, retrying",
				slog.String("key", key), slog.Int("attempt", n), slog.Duration("delay", d), slog.Any("error", err))
		}}
	return retry.Do(ctx, p, func(ctx context.Context, _ int) error {
		err := op(ctx)
		if err != nil && retryable(err) && !errors.Is(err, ErrChanged) {
			return retry.Transient(err, 0)
		}
		return err
	})
}

// acquire takes one of the Syncer's PartConcurrency GET slots.
func (s *Syncer) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Syncer) release() { <-s.slots }
