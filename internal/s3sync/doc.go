// Package s3sync mirrors a vector store published under an S3 prefix into a
// local folder, and publishes a local store to a prefix.
//
// # Mirror (Sync)
//
// Sync first checks the destination: it must be missing, an empty
// folder, a store or an earlier sync's copy, and a folder a rename can
// move (not a mount point); anything else is ErrDestination, before any
// request, so a VECTORSTORE_DIR pointed at the wrong folder is never
// deleted. It lists the prefix, lets package store recognise the format from the
// object names (store.DetectFiles: this package knows no store file
// names), downloads the files it needs in parallel into a staging folder
// beside the destination, checks that nothing changed on S3 while it ran,
// verifies every file against the manifest with the hashes taken while
// downloading (and records them with store.RecordVerified, so opening the
// staged store does not hash it again), has Config.Validator open the
// staged store when one is set (a store that verifies but does not open
// fails with ErrInvalid and never replaces the destination), and swaps the
// staging folder in (fsatomic.ReplaceDirNoSync, or ReplaceDir when
// durable; see below). Two kinds of layout are handled:
//
//   - with a manifest (native): only the files the manifest lists are
//     fetched, and each must match the manifest's size and SHA-256. A
//     Validator that is also a ManifestChecker sees the manifest first:
//     a store it refuses from the manifest alone (over the load budget,
//     another embedder) fails with ErrInvalid before anything else is
//     fetched. The local manifest must equal the published one byte for
//     byte for the copy to count as unchanged.
//   - without one (LangChain FAISS): the files the layout names are
//     fetched (NAME.faiss + NAME.pkl, NAME being Config.IndexName); each
//     must have the size the listing reports.
//
// Anything else is an error (ErrFormat), as is a prefix holding more than
// MaxListed objects and subfolders: a store is a few dozen files. The
// listing uses the "/" delimiter, so a subfolder counts once however many
// objects it holds, and a listing the server never ends (a repeated
// continuation token) fails the attempt with ErrUnreachable. Every download is conditional on
// the ETag seen in the listing (If-Match), and the prefix is listed again at
// the end; any difference fails the attempt with ErrChanged, so a folder
// that is served is never a mix of two versions. Failed attempts are retried
// with exponential backoff and full jitter until Config.MaxAttempts or the
// context's deadline (internal/retry); the SDK client itself does not retry,
// so attempts never multiply. A failed sync removes its staging folder and
// leaves the destination as it was.
//
// Large objects are fetched as byte ranges in parallel (Config.PartSize,
// default 8 MiB; at most Config.PartConcurrency GETs in flight over the
// whole sync, default 8), each written at its offset in the staged file.
// When the manifest records part hashes (store.PartHashes, which
// store.Write records), the ranges are the manifest's parts and each is
// checked against its hash on the goroutine that fetched it, so the
// hashing runs on every core; otherwise the file is hashed in file order
// as the parts land rather than read back afterwards. A failed GET is retried alone (Config.PartAttempts, with the
// same backoff, through internal/retry); a GET whose ETag no longer
// matches fails the attempt at once with ErrChanged, and the next attempt
// starts from a fresh listing. A failed download removes its partial file.
// Plain GETs with Range are used rather than the SDK's transfer manager:
// its downloader asks for the object's upload parts by number, and an
// object stored with one PUT has a single part, so it came down on one
// connection.
//
// Files that are already present and unchanged are not downloaded again.
// A local file is reused (hard-linked, or copied, into the staging folder)
// only after hashing it: against the manifest's SHA-256 for a native store,
// or, for a FAISS folder, against the SHA-256 recorded in the destination's
// state file (.s3sync.json: each object's size, ETag and SHA-256) when the
// object's ETag has not moved. A damaged local copy is thus repaired, not
// carried over. When nothing changed, the destination is left untouched
// (Result.Changed is false).
//
// # Durability
//
// The mirror is a cache of S3, and by default a sync does not wait for its
// files to reach the disk: nothing is fsynced, the swap is atomic for
// readers, and the downloads' checksums are recorded for the current boot
// only (store.UntilReboot). After a crash of the machine that record is
// ignored, every file is hashed again, and one the crash left short or
// zeroed is fetched again. Measured here, waiting for the disk costs more
// than the transfer (docs/BENCHMARKS.md). Config.Durable (S3_SYNC_DURABLE)
// fsyncs every file before the swap, starting each part's writeback as it
// lands, and records the checksums for good; where the kernel has no boot
// id to scope a record to, every sync is durable.
//
// When S3 cannot be reached, Sync returns an error wrapping ErrUnreachable;
// if the destination holds a copy that still verifies, Result.UsedLocal is
// true and Result.Version names it, so a server can serve it and say so.
//
// # Publish (Push)
//
// Push verifies a local native store against its manifest, uploads the data
// files (skipping those already on S3 with the same size and SHA-256,
// recorded in the object metadata "sha256"), and uploads the manifest
// last, only after every data file is in place. Objects are overwritten in
// place under the prefix: no pointer object, so the prefix stays a plain
// store folder that the Python service, the AWS CLI and Sync all read. The
// cost is a window during a push (and after a failed push) in which the
// data files are new and the manifest is old; a Sync in that window fails
// verification, retries, and never serves the mix. LangChain FAISS folders
// have no manifest to publish last, so Push refuses them.
//
// S3 has no lock, so two pushes to one prefix at once (two operators, or
// an operator and a pipeline) can overwrite each other's files. Push
// writes the manifest with a conditional PUT (If-Match the manifest it
// found at its start, If-None-Match when there was none), after checking
// its files' size and SHA-256 tags, and checks files and manifest again
// after: a push that finds another's work fails with ErrConflict (not
// retried) without writing its manifest over it. When the other push
// started first and finishes later, its manifest is refused instead and
// the prefix may hold this one's manifest with some of its files until a
// push runs again: at least one of the two always fails and says so.
//
// # Command line
//
// PushFlags is the option set of "vectorstore push" (cliflag.Options);
// its Run verifies the store with a full store.Open before it connects,
// pushes with the Syncer its caller builds (providers.S3 adds the
// environment's region and endpoint), and prints PushResult.WriteText.
//
// # Concurrency
//
// A Syncer is safe for concurrent use; Sync and Push calls on one Syncer
// run one at a time. Do not point two processes at the same destination
// folder.
package s3sync
