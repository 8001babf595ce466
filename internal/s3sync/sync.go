package s3sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/vendor0919/api/internal/fsatomic"
	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/store"
)

// Store formats reported in Result.Format: package store's names.
const (
	FormatNative = store.FormatNative
	FormatFAISS  = store.FormatLangChain
)

// Result describes a Sync.
type Result struct {
	// Version names what the folder holds: the native manifest's version,
	// or "etag-" plus a digest of the objects' ETags.
	Version string
	// Format is FormatNative or FormatFAISS.
	Format string
	// Changed reports whether the folder was replaced.
	Changed bool
	// Files is the number of store files; Downloaded + Skipped == Files.
	Files, Downloaded, Skipped int
	// Bytes is the number of bytes downloaded.
	Bytes int64
	// Took is the wall time of the whole Sync, retries included.
	Took time.Duration
	// Attempts is the number of attempts made (1 without retries).
	Attempts int
	// UsedLocal is set only when Sync failed: the destination folder was
	// left as it was and still verifies, so it may be served. Version,
	// Format and Files then describe the local copy.
	UsedLocal bool
}

// object is one listed S3 object, named relative to the prefix.
type object struct {
	Key  string
	Size int64
	ETag string
}

// Sync mirrors the prefix into dir (see the package documentation). dir's
// parent is created if needed; staging folders are made beside dir.
//
// On success dir holds a complete, verified store. On failure dir is as it
// was, the error wraps one of the package's sentinels where one applies
// (ErrUnreachable when S3 could not be reached), and Result.UsedLocal
// reports whether dir holds a verified copy that may be served instead.
func (s *Syncer) Sync(ctx context.Context, dir string) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
		return Result{}, fmt.Errorf("s3sync: create parent of %s: %w", dir, err)
	}
	s.removeDebris(ctx, dir)
	var res Result
	attempts, err := s.retry(ctx, "sync", func(ctx context.Context) error {
		var err error
		res, err = s.syncOnce(ctx, dir)
		return err
	})
	res.Attempts = attempts
	res.Took = time.Since(start)
	if err != nil {
		local := Result{Attempts: attempts, Took: res.Took}
		if lv, lerr := verifyLocal(dir, s.indexName); lerr == nil {
			local.UsedLocal = true
			local.Version, local.Format, local.Files = lv.Version, lv.Format, lv.Files
		}
		// Not logged here: the caller decides what a failed sync means
		// (serve the local copy, keep the current store, retry) and logs it.
		return local, err
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "sync done",
		slog.String("uri", s.uri), slog.String("dir", dir), slog.String("version", res.Version),
		slog.String("format", res.Format), slog.Bool("changed", res.Changed),
		slog.Int("files", res.Files), slog.Int("downloaded", res.Downloaded), slog.Int("skipped", res.Skipped),
		slog.Int64("bytes", res.Bytes), slog.Float64("took_ms", logctx.Millis(res.Took)))
	return res, nil
}

// syncOnce is one attempt of Sync.
func (s *Syncer) syncOnce(ctx context.Context, dir string) (res Result, err error) {
	if err := checkDestination(dir, s.indexName); err != nil {
		return res, err
	}
	listed, err := s.list(ctx)
	if err != nil {
		return res, err
	}
	if len(listed) == 0 {
		return res, fmt.Errorf("%w: list %s: no objects under the prefix", ErrNotFound, s.uri)
	}

	staging, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".sync-*")
	if err != nil {
		return res, fmt.Errorf("s3sync: create staging folder: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			if rerr := os.RemoveAll(staging); rerr != nil && err == nil {
				err = fmt.Errorf("s3sync: remove staging folder: %w", rerr)
			}
		}
	}()
	prev := readState(dir, s.uri)

	// Decide the format and the files to fetch: package store reads the
	// listing, and for a format with a manifest, the manifest.
	var (
		want     = map[string]object{} // store files (not the manifest)
		manifest *store.Manifest
		watched  = map[string]object{} // objects whose ETags must not move
	)
	lay, err := store.DetectFiles(slices.Collect(maps.Keys(listed)), s.indexName)
	if err != nil {
		return res, fmt.Errorf("%w: %s: %w; found %s", ErrFormat, s.uri, err, sample(listed))
	}
	res.Format = lay.Format
	if lay.Manifest != "" {
		mobj := listed[lay.Manifest]
		if mobj.Size > store.MaxManifestBytes {
			return res, fmt.Errorf("%w: %s is %d bytes, more than a manifest's %d", ErrFormat, lay.Manifest, mobj.Size, store.MaxManifestBytes)
		}
		watched[lay.Manifest] = mobj
		if _, err := s.download(ctx, mobj, filepath.Join(staging, lay.Manifest), nil, ""); err != nil {
			return res, err
		}
		manifest, err = store.ReadManifest(staging)
		if err != nil {
			return res, fmt.Errorf("%w: %s: %w", ErrVerify, lay.Manifest, err)
		}
		if hasKey(manifest.Files, StateFile) {
			return res, fmt.Errorf("%w: %s lists %s, a name reserved for the sync state", ErrFormat, lay.Manifest, StateFile)
		}
		if mc, ok := s.validator.(ManifestChecker); ok {
			if err := mc.CheckManifest(staging, manifest); err != nil {
				return res, fmt.Errorf("%w: %s version %s: %w", ErrInvalid, s.uri, manifest.Version, err)
			}
		}
		for name, fi := range manifest.Files {
			o, ok := listed[name]
			if !ok {
				return res, fmt.Errorf("%w: manifest lists %s, which is not under %s", ErrVerify, name, s.uri)
			}
			if o.Size != fi.Size {
				return res, fmt.Errorf("%w: %s is %d bytes on S3, manifest says %d", ErrVerify, name, o.Size, fi.Size)
			}
			want[name] = o
		}
	}
	for _, name := range lay.Files {
		want[name] = listed[name]
	}
	maps.Copy(watched, want)

	// Fetch: link local files that are still what S3 holds, download the
	// rest. A local file is reused only after hashing it: against the
	// manifest (native), or against the state recorded when it was
	// downloaded, if its object's ETag has not moved since (FAISS). So a
	// damaged local copy is repaired rather than carried over.
	next := state{URI: s.uri, Format: res.Format, Objects: map[string]stateObject{}}
	var toFetch []object
	names := slices.Sorted(maps.Keys(want))
	for _, name := range names {
		o := want[name]
		var expect store.FileInfo
		if manifest != nil {
			expect = manifest.Files[name]
		} else if p, ok := prev.Objects[name]; ok && p.ETag == o.ETag && p.Size == o.Size {
			expect = store.FileInfo{Size: p.Size, SHA256: p.SHA256}
		}
		local := filepath.Join(dir, name)
		if expect.SHA256 != "" && sameFile(local, expect) && linkOrCopy(local, filepath.Join(staging, name), o.Size) == nil {
			next.Objects[name] = stateObject{Size: o.Size, ETag: o.ETag, SHA256: expect.SHA256}
			res.Skipped++
			continue
		}
		toFetch = append(toFetch, o)
	}
	type fetched struct {
		name string
		sum  string
	}
	sums := make([]fetched, len(toFetch))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency)
	for i, o := range toFetch {
		g.Go(func() error {
			name := strings.TrimPrefix(o.Key, s.prefix)
			var ph *store.PartHashes
			var wantSum string
			if manifest != nil {
				if p, ok := manifest.Parts[name]; ok {
					ph, wantSum = &p, manifest.Files[name].SHA256
				}
			}
			sum, err := s.download(gctx, o, filepath.Join(staging, name), ph, wantSum)
			sums[i] = fetched{name, sum}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	for i, o := range toFetch {
		next.Objects[sums[i].name] = stateObject{Size: o.Size, ETag: o.ETag, SHA256: sums[i].sum}
		res.Downloaded++
		res.Bytes += o.Size
	}
	res.Files = len(want)

	// Nothing may have moved on S3 while we were fetching.
	again, err := s.list(ctx)
	if err != nil {
		return res, err
	}
	for name, o := range watched {
		n, ok := again[name]
		switch {
		case !ok:
			return res, fmt.Errorf("%w: %s was deleted", ErrChanged, o.Key)
		case n.ETag != o.ETag || n.Size != o.Size:
			return res, fmt.Errorf("%w: %s changed (ETag %s -> %s)", ErrChanged, o.Key, o.ETag, n.ETag)
		}
	}

	// Verify what is in staging. Every staged file was hashed once
	// already: a download hashes the file it wrote (in file order, as the
	// parts land), and a reused local copy was hashed before it was
	// linked. A native store's files are checked against its manifest with
	// those hashes instead of reading them all a second time (a full pass
	// over the store, most of a second per GB here). A format without a
	// manifest has nothing to check them against beyond the listing's
	// sizes, already enforced; the hashes go into the sync state.
	if manifest != nil {
		if err := matchesManifest(manifest, next); err != nil {
			// Every GET carried If-Match and the listing has not moved
			// since: fetching again gets the same bytes, so the attempt
			// is not repeated (a broken publish cost four downloads of
			// the whole store per sync).
			return res, fmt.Errorf("%w (%w)", err, errPublishedMismatch)
		}
		// Record those hashes as VerifyDir did after hashing the files
		// itself: the staging open (Config.Validator) and the first open
		// of the swapped-in folder (a rename keeps inodes and mtimes) then
		// check the contents without hashing every file again.
		store.RecordVerified(staging, manifest.Files, s.durability())
		res.Version = manifest.Version
	}
	if res.Version == "" {
		res.Version = etagVersion(watched)
	}
	if lay.Manifest != "" {
		mobj := watched[lay.Manifest]
		next.Manifest = &stateObject{Size: mobj.Size, ETag: mobj.ETag}
	}
	next.Version = res.Version

	// The manifest is staged afresh every time and never hashed against
	// anything, so the local one is compared byte for byte: a damaged one
	// (a crash without S3_SYNC_DURABLE) must not pass for unchanged.
	if res.Downloaded == 0 && prev.sameObjects(next) && (lay.Manifest == "" || sameContents(filepath.Join(dir, lay.Manifest), filepath.Join(staging, lay.Manifest))) {
		return res, nil // dir already holds exactly this version; staging is removed
	}
	// Checksums prove the files are what was published, not that they
	// open: a store that verifies but does not parse must never replace
	// a copy that is served (or would be, after a restart with S3 down).
	if s.validator != nil {
		vctx, stop := withoutDeadline(ctx)
		err := s.validator.Validate(vctx, staging)
		stop()
		if err != nil {
			return res, fmt.Errorf("%w: %s version %s: %w", ErrInvalid, s.uri, res.Version, err)
		}
	}
	if err := writeState(staging, next, s.durable); err != nil {
		return res, err
	}
	replace := fsatomic.ReplaceDirNoSync
	if s.durable {
		replace = fsatomic.ReplaceDir
	}
	if err := replace(staging, dir); err != nil {
		if errors.Is(err, fsatomic.ErrNotRenameable) {
			return res, fmt.Errorf("%w: %w; %s", ErrDestination, err, movableAdvice)
		}
		lo := (*fsatomic.LeftoverError)(nil)
		if !errors.As(err, &lo) {
			return res, fmt.Errorf("s3sync: swap in %s: %w", dir, err)
		}
		// The new copy is in place; removeDebris retries the old one at
		// the next sync.
		s.log.LogAttrs(ctx, slog.LevelWarn, "swapped in the new copy; the old one could not be removed", slog.String("path", lo.Path), slog.Any("error", lo.Err))
	}
	committed = true
	res.Changed = true
	return res, nil
}

// withoutDeadline returns ctx without its deadline, still cancelled when
// ctx is cancelled otherwise (shutdown), for the Validator: the sync's
// deadline (SYNC_TIMEOUT) bounds fetching, and the Validator bounds its
// open itself (lifecycle.StoreOpener: STORE_LOAD_TIMEOUT). Under the
// sync's deadline, a store whose download used most of it was refused as
// one that "does not open". A cancellation that comes after the deadline
// has passed does not reach the Validator: its own bound ends it.
func withoutDeadline(ctx context.Context) (context.Context, func()) {
	v, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	unhook := context.AfterFunc(ctx, func() {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cancel(context.Cause(ctx))
		}
	})
	return v, func() { unhook(); cancel(nil) }
}

// sameContents reports whether the files at a and b both read and hold
// the same bytes; for small files (a manifest is at most
// store.MaxManifestBytes).
func sameContents(a, b string) bool {
	x, err := os.ReadFile(a)
	if err != nil {
		return false
	}
	y, err := os.ReadFile(b)
	return err == nil && bytes.Equal(x, y)
}

// movableAdvice says what to do about a destination no rename can move.
const movableAdvice = "a sync swaps the whole folder by renaming it: point VECTORSTORE_DIR at a folder inside the volume, " +
	"or at one the container creates (not one its image holds)"

// checkDestination refuses, before anything is fetched, a dir the sync
// must not or cannot replace (ErrDestination): anything
// store.CheckReplaceableBy refuses, but an earlier sync's copy (its
// StateFile) or a LangChain folder (a VECTORSTORE_DIR pointed at the
// wrong folder would be deleted by the swap), or a mount point. A missing
// or empty folder may be filled.
func checkDestination(dir, indexName string) error {
	err := store.CheckReplaceableBy(dir, func(names []string) bool {
		if slices.Contains(names, StateFile) {
			return true
		}
		_, err := store.DetectFiles(names, indexName)
		return err == nil
	})
	if err != nil {
		if errors.Is(err, store.ErrNotReplaceable) {
			return fmt.Errorf("%w: %w", ErrDestination, err)
		}
		return err
	}
	if err := fsatomic.CheckRenameable(dir); err != nil {
		return fmt.Errorf("%w: %w; %s", ErrDestination, err, movableAdvice)
	}
	return nil
}

// durability is what a sync's record of its downloads' checksums is worth.
func (s *Syncer) durability() store.Durability {
	if s.durable {
		return store.Durable
	}
	return store.UntilReboot
}

// removeDebris deletes staging folders (.NAME.sync-*) and moved-aside
// copies (.NAME.old-*, made by fsatomic.ReplaceDir) that a process killed
// mid-sync left beside dir. The caller holds s.mu; nothing else may write
// beside dir (one syncer per destination).
func (s *Syncer) removeDebris(ctx context.Context, dir string) {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	// Where fsatomic.ReplaceDir had to fall back to two renames, a crash
	// between them leaves dir missing and the last good copy at
	// .NAME.old-*/dir: put it back before clearing debris.
	if _, err := os.Lstat(dir); os.IsNotExist(err) {
		for _, e := range entries {
			if n := e.Name(); e.IsDir() && strings.HasPrefix(n, "."+base+".old-") {
				old := filepath.Join(parent, n, "dir")
				if err := os.Rename(old, dir); err == nil {
					s.log.LogAttrs(ctx, slog.LevelWarn, "restored the store an interrupted swap had moved aside", slog.String("path", old))
					break
				}
			}
		}
	}
	for _, e := range entries {
		n := e.Name()
		ours := strings.HasPrefix(n, "."+base+".sync-") || strings.HasPrefix(n, "."+base+".old-")
		if !e.IsDir() || !ours {
			continue
		}
		err := os.RemoveAll(filepath.Join(parent, n))
		s.log.LogAttrs(ctx, slog.LevelWarn, "removed debris of an interrupted sync",
			slog.String("path", filepath.Join(parent, n)), slog.Any("error", err))
	}
}

// MaxListed bounds what one listing of the prefix may return: the objects
// directly under it plus the subfolders S3 folds into common prefixes, an
// empty page counting as one. A store is a few dozen files; without a
// bound, a server that kept answering IsTruncated with more keys (or the
// same ones again) grew the listing until SYNC_TIMEOUT, 4 GB in 120 s.
const MaxListed = 10_000

// list returns the objects directly under the prefix, by relative name.
// The listing uses the "/" delimiter, so S3 folds deeper "folders" into
// one common prefix each instead of listing their keys: 20,000 objects in
// a subfolder cost nothing per sync. A prefix holding more than MaxListed
// entries is refused (ErrFormat), and a listing that repeats its
// continuation token, or is truncated without one, is a server fault
// (ErrUnreachable).
func (s *Syncer) list(ctx context.Context) (map[string]object, error) {
	out := map[string]object{}
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket:    aws.String(s.bucket),
		Prefix:    aws.String(s.prefix),
		Delimiter: aws.String("/"),
	}, func(o *s3.ListObjectsV2PaginatorOptions) { o.StopOnDuplicateToken = true })
	seen := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s3Error("list "+s.uri, err)
		}
		// The paginator ends quietly on a repeated token (or a truncated
		// page without one), which would pass a partial listing off as
		// the whole prefix.
		if aws.ToBool(page.IsTruncated) && !p.HasMorePages() {
			return nil, fmt.Errorf("%w: list %s: the server answered a truncated page with continuation token %q, which is empty or repeats the previous one",
				ErrUnreachable, s.uri, truncate(aws.ToString(page.NextContinuationToken), 64))
		}
		// Every listed entry counts, kept or not: a loop re-sending the
		// same names does not grow out but must still end.
		seen += max(len(page.Contents)+len(page.CommonPrefixes), 1)
		if seen > MaxListed {
			return nil, fmt.Errorf("%w: list %s: the prefix holds more than %d objects and subfolders; a store is a few dozen files",
				ErrFormat, s.uri, MaxListed)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			name := strings.TrimPrefix(key, s.prefix)
			if name == "" || strings.Contains(name, "/") {
				continue
			}
			out[name] = object{Key: key, Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag)}
		}
	}
	return out, nil
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// errPublishedMismatch marks a verification failure of objects that did
// not change during the sync: retryable says no.
var errPublishedMismatch = errors.New("the objects did not change during the sync, so the published store itself does not match its manifest; not retried")

// matchesManifest checks the staged files' hashes (recorded in st) against
// the manifest: every listed file staged, with its size and SHA-256.
func matchesManifest(m *store.Manifest, st state) error {
	for _, name := range slices.Sorted(maps.Keys(m.Files)) {
		want := m.Files[name]
		got, ok := st.Objects[name]
		switch {
		case !ok:
			return fmt.Errorf("%w: %s: listed in the manifest, not staged", ErrVerify, name)
		case got.Size != want.Size || got.SHA256 != want.SHA256:
			return fmt.Errorf("%w: %s: %d bytes sha256 %s, manifest says %d bytes sha256 %s",
				ErrVerify, name, got.Size, got.SHA256, want.Size, want.SHA256)
		}
	}
	if len(st.Objects) != len(m.Files) {
		return fmt.Errorf("%w: %d files staged, the manifest lists %d", ErrVerify, len(st.Objects), len(m.Files))
	}
	return nil
}

// sameAsState checks the store files VerifyDir hashed against their
// record in st: the same names, sizes and SHA-256.
func sameAsState(got map[string]store.FileInfo, st state) error {
	for _, name := range slices.Sorted(maps.Keys(st.Objects)) {
		want := st.Objects[name]
		g, ok := got[name]
		if !ok {
			return fmt.Errorf("%w: %s: not part of the %s store", ErrVerify, name, st.Format)
		}
		if g.Size != want.Size || (want.SHA256 != "" && g.SHA256 != want.SHA256) {
			return fmt.Errorf("%w: %s: %d bytes sha256 %s, expected %d bytes sha256 %s",
				ErrVerify, name, g.Size, g.SHA256, want.Size, want.SHA256)
		}
	}
	if len(got) != len(st.Objects) {
		return fmt.Errorf("%w: %d store files, the sync state records %d", ErrVerify, len(got), len(st.Objects))
	}
	return nil
}

// verifyLocal checks the store already in dir with store.VerifyDir: a
// store with a manifest against it, any other against the sync state
// (sizes and SHA-256 recorded at download).
func verifyLocal(dir, indexName string) (Result, error) {
	lay, err := store.Detect(dir, indexName)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	var st state
	if lay.Manifest == "" {
		// Read first: without a state there is nothing to check against,
		// so the files need not be hashed.
		if st, err = readStateErr(dir); err != nil {
			return Result{}, err
		}
		if st.Format != lay.Format {
			return Result{}, fmt.Errorf("%w: %s holds a %s store, the sync state says %s", ErrFormat, dir, lay.Format, st.Format)
		}
	}
	got, err := store.VerifyDir(dir, indexName)
	if err != nil {
		return Result{}, err
	}
	if lay.Manifest != "" {
		v := got.Version
		if v == "" {
			v = "local"
		}
		return Result{Version: v, Format: got.Format, Files: len(got.Files)}, nil
	}
	if err := sameAsState(got.Files, st); err != nil {
		return Result{}, err
	}
	return Result{Version: st.Version, Format: got.Format, Files: len(got.Files)}, nil
}

// sameFile reports whether the file at path has want's size and SHA-256.
func sameFile(path string, want store.FileInfo) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != want.Size {
		return false
	}
	got, err := store.HashFile(path)
	return err == nil && got == want
}

// linkOrCopy puts a copy of src (which must be size bytes) at dst: a hard
// link when possible, else a byte copy.
func linkOrCopy(src, dst string, size int64) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Size() != size {
		return errors.New("s3sync: local file differs")
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()                                      // read-only
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644) //nolint:gosec // G302: as in download
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		_ = os.Remove(dst)
		return err
	}
	return out.Close()
}

// etagVersion derives a version label from the objects' names and ETags.
func etagVersion(objs map[string]object) string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(objs)) {
		_, _ = fmt.Fprintf(h, "%s\x00%s\x00", name, objs[name].ETag) // hash writes never fail
	}
	return "etag-" + hex.EncodeToString(h.Sum(nil))[:12]
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// sample names up to five listed objects for an error message.
func sample(listed map[string]object) string {
	names := slices.Sorted(maps.Keys(listed))
	if len(names) > 5 {
		names = append(names[:5], fmt.Sprintf("... (%d in all)", len(listed)))
	}
	return strings.Join(names, ", ")
}
