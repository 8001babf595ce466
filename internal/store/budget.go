package store

import (
	"errors"
	"fmt"

	"github.com/vendor0919/api/internal/faiss"
	"github.com/vendor0919/api/internal/lcpickle"
	"github.com/vendor0919/api/internal/memlimit"
)

// ErrTooLarge reports a store that would take more memory than the load
// budget (OpenOptions.MaxBytes).
var ErrTooLarge = errors.New("store: over the load budget")

// TextCost is what one byte of chunk text is taken to cost once a store
// is served: the text itself, the keyword index built over it (measured
// at 0.1x the text for English and 1.3x for Japanese, whose bigrams
// dominate) and headroom for the transient garbage of building it and for
// answering searches. A store's text bytes times TextCost count toward
// its load budget.
const TextCost = 4

// The derived budget: a third of the memory limit, so that the store
// being served, the one being loaded and the requests in flight all fit;
// NoLimitMaxBytes when no limit is known.
const (
	budgetDivisor   = 3
	NoLimitMaxBytes = 2 << 30
)

// DefaultMaxBytes is the load budget when OpenOptions.MaxBytes is zero: a
// third of the process memory limit (memlimit.Limit: the cgroup's, or
// GOMEMLIMIT when lower), or NoLimitMaxBytes (2 GiB) when there is none.
func DefaultMaxBytes() int64 {
	if n, ok := memlimit.Limit(); ok {
		return n / budgetDivisor
	}
	return NoLimitMaxBytes
}

func (o OpenOptions) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes()
}

// tooLarge wraps a reader's budget error as ErrTooLarge, naming the file.
func tooLarge(path string, err error) error {
	if errors.Is(err, faiss.ErrBudget) || errors.Is(err, lcpickle.ErrBudget) {
		return fmt.Errorf("%w: %s: %w", ErrTooLarge, path, err)
	}
	return err
}

// textBytes is what a store's chunk text of chunks bytes costs in the
// load budget, with a persisted keyword index of keyword bytes (0: none).
//
// Without a persisted index the keyword index is built in memory: the
// text costs TextCost times its size, as it always has. With one, the
// text and the index are mapped rather than built, and mapped pages
// become resident as searches touch them, so the index's own size counts;
// but which analyzer the server uses is not known when the store is
// opened, and a server configured with another one builds its index in
// memory after all (Store.KeywordIndex). So the text counts once, plus
// the larger of the persisted index and the in-memory build's share
// ((TextCost-1) times the text): never less than a store without the
// file, and a keyword file larger than any index the text could need
// costs what it holds.
func textBytes(chunks, keyword int64) int64 {
	return chunks + max(keyword, chunks*(TextCost-1))
}

// checkBudget refuses a native store whose files, as its manifest gives
// their sizes (checked against the files when mapped), would cost more
// than budget: the vectors, the text (textBytes), the line offsets
// (8 bytes a chunk, decoded or scanned into memory), the heading-path
// index (HeadingFile, small: the headings are short), the chunks'
// sections (SectionsFile, 4 bytes a chunk), the graph when it is
// loaded and the SQ8 codes when they are (withSQ8). Mapping does not
// change what is counted: every mapped page a search touches becomes
// resident, and is charged to the task. The float rows of an SQ8 store
// count whole too, although searches read only the rows they rescore: a
// first open hashes and checks every one of them.
func checkBudget(dir string, m *Manifest, withGraph, withSQ8 bool, budget int64) error {
	chunks := m.Files[ChunksFile].Size
	cost := m.Files[VectorsFile].Size + textBytes(chunks, m.Files[KeywordFile].Size) + m.Files[HeadingFile].Size + m.Files[SectionsFile].Size + 8*(int64(m.Count)+1)
	if withGraph {
		cost += m.Files[GraphFile].Size
	}
	if withSQ8 {
		cost += m.Files[SQ8File].Size
	}
	if cost > budget {
		return fmt.Errorf("%w: %s: vectors, %d bytes of chunks (x%d with the keyword index) and the graph would take %d bytes, the budget is %d (STORE_LOAD_MAX_BYTES raises it)",
			ErrTooLarge, dir, chunks, TextCost, cost, budget)
	}
	return nil
}
