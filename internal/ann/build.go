package ann

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// BuildHNSW builds an HNSW index over vectors, row-major with len n*dim. It
// takes ownership of vectors; for Cosine it normalises them in place. Zero
// cfg fields take the defaults (see HNSWConfig). Nodes are inserted by
// cfg.Workers goroutines; the build stops early with ctx.Err() when ctx is
// cancelled.
func BuildHNSW(ctx context.Context, dim int, metric Metric, vectors []float32, cfg HNSWConfig) (*HNSW, error) {
	if err := checkInput(dim, metric, vectors); err != nil {
		return nil, err
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if metric == Cosine {
		normalizeRows(vectors, dim)
	}
	h := &HNSW{
		space: space{dim: dim, metric: metric, vectors: vectors},
		n:     len(vectors) / dim,
		cfg:   cfg,
		m0:    2 * cfg.M,
		m:     cfg.M,
	}
	if err := h.drawLevels(); err != nil {
		return nil, err
	}
	if h.n == 0 {
		return h, nil
	}
	h.adviseMemory() // the build's own searches profit too
	h.entry = 0
	h.maxLevel = int(h.levels[0])

	b := &builder{h: h, locks: make([]sync.Mutex, h.n)}
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()
	var next atomic.Uint64
	next.Store(1) // node 0 is the initial entry point
	workers := max(1, min(cfg.Workers, h.n-1))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := h.newCtx()
			for !stop.Load() {
				id := next.Add(1) - 1
				if id >= uint64(h.n) {
					return
				}
				b.insert(c, uint32(id))
			}
		}()
	}
	wg.Wait()
	if stop.Load() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// drawLevels draws every node's top layer up front from cfg.Seed (so the
// layout of the sparse upper layers is known before any insertion) and
// allocates all link storage, filled with none.
func (h *HNSW) drawLevels() error {
	rng := rand.New(rand.NewPCG(uint64(h.cfg.Seed), 0x9e3779b97f4a7c15)) //nolint:gosec // G404: level draws need no cryptographic randomness
	mult := 1 / math.Log(float64(h.cfg.M))
	h.levels = make([]uint8, h.n)
	h.upperOff = make([]uint32, h.n)
	var total uint64
	for i := range h.levels {
		l := int(-math.Log(1-rng.Float64()) * mult)
		l = min(l, maxLevel)
		h.levels[i] = uint8(l)
		h.upperOff[i] = uint32(total)
		total += uint64(l) * uint64(h.m)
		if total >= math.MaxUint32 {
			return fmt.Errorf("ann: upper layers of %d nodes exceed 2^32 slots", h.n)
		}
	}
	h.level0 = make([]uint32, h.n*h.m0)
	fillNone(h.level0)
	h.upper = make([]uint32, total)
	fillNone(h.upper)
	return nil
}

func fillNone(s []uint32) {
	for i := range s {
		s[i] = none
	}
}

// builder holds the state only a build needs.
type builder struct {
	h      *HNSW
	global sync.Mutex   // guards h.entry and h.maxLevel
	locks  []sync.Mutex // one per node, held while its lists are written
}

// insert links node id into the graph, layer by layer from its top.
// Writers hold at most one node lock at a time, so the build cannot
// deadlock; readers traverse without locks using atomic loads.
func (b *builder) insert(c *searchCtx, id uint32) {
	h := b.h
	level := int(h.levels[id])
	b.global.Lock()
	ep, top := h.entry, h.maxLevel
	raise := level > top
	if !raise {
		b.global.Unlock()
	}

	q := h.row(id)
	epDist := h.dist(q, ep)
	for l := top; l > level; l-- {
		ep, epDist = h.greedy(c, q, ep, epDist, l)
	}
	for l := min(level, top); l >= 0; l-- {
		h.searchLayer(c, q, ep, epDist, h.cfg.EFConstruction, l, nil, 0)
		c.sorted = growNeighbors(c.sorted, len(c.res))
		sorted := c.res.drainSorted(c.sorted)
		// A concurrent insert may already have linked id; never self-link.
		w := 0
		for _, x := range sorted {
			if x.ID != id {
				sorted[w] = x
				w++
			}
		}
		sorted = sorted[:w]
		if len(sorted) == 0 {
			continue
		}
		c.sel = h.selectNeighbors(sorted, h.m, c.sel)
		ep, epDist = c.sel[0].ID, c.sel[0].Distance
		b.connect(c, id, c.sel, l)
	}

	if raise {
		h.entry = id
		h.maxLevel = level
		b.global.Unlock()
	}
}

func growNeighbors(s []Neighbor, n int) []Neighbor {
	if cap(s) < n {
		return make([]Neighbor, n, 2*n)
	}
	return s[:n]
}

// selectNeighbors is the HNSW neighbour-selection heuristic. cands holds
// candidates for one base node, sorted by ascending distance to it. Walking
// them in order, it keeps a candidate only if the candidate is not closer to
// any already kept neighbour than to the base node, and stops after m. This
// keeps links pointing in diverse directions instead of all into the
// nearest cluster. With fewer than m candidates all are kept. The result
// reuses out's storage.
func (s *space) selectNeighbors(cands []Neighbor, m int, out []Neighbor) []Neighbor {
	out = out[:0]
	if len(cands) < m {
		return append(out, cands...)
	}
	for _, c := range cands {
		if len(out) >= m {
			break
		}
		keep := true
		for _, r := range out {
			if s.pairDist(r.ID, c.ID) < c.Distance {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, c)
		}
	}
	return out
}

// connect makes id's layer-l list sel and adds id to the list of each node
// in sel, pruning a full list with the heuristic.
func (b *builder) connect(c *searchCtx, id uint32, sel []Neighbor, l int) {
	h := b.h
	capacity := h.m
	if l == 0 {
		capacity = h.m0
	}

	b.locks[id].Lock()
	own := h.links(id, l)
	if listLen(own) == 0 {
		writeList(own, sel)
	} else {
		// Other workers linked to id while it was being inserted: merge.
		tmp := c.tmp[:0]
		for j := range own {
			x := atomic.LoadUint32(&own[j])
			if x == none {
				break
			}
			tmp = append(tmp, Neighbor{ID: x, Distance: h.pairDist(id, x)})
		}
		for _, s := range sel {
			if !containsID(tmp, s.ID) {
				tmp = append(tmp, s)
			}
		}
		sortNeighbors(tmp)
		c.kept = h.selectNeighbors(tmp, capacity, c.kept)
		writeList(own, c.kept)
		c.tmp = tmp
	}
	b.locks[id].Unlock()

	for _, s := range sel {
		b.locks[s.ID].Lock()
		ls := h.links(s.ID, l)
		n := 0
		present := false
		for ; n < len(ls); n++ {
			x := atomic.LoadUint32(&ls[n])
			if x == none {
				break
			}
			if x == id {
				present = true
				break
			}
		}
		switch {
		case present:
		case n < capacity:
			atomic.StoreUint32(&ls[n], id)
		default:
			tmp := append(c.tmp[:0], Neighbor{ID: id, Distance: s.Distance})
			for j := range ls {
				x := atomic.LoadUint32(&ls[j])
				tmp = append(tmp, Neighbor{ID: x, Distance: h.pairDist(s.ID, x)})
			}
			sortNeighbors(tmp)
			c.kept = h.selectNeighbors(tmp, capacity, c.kept)
			writeList(ls, c.kept)
			c.tmp = tmp
		}
		b.locks[s.ID].Unlock()
	}
}

func containsID(ns []Neighbor, id uint32) bool {
	for _, x := range ns {
		if x.ID == id {
			return true
		}
	}
	return false
}

// listLen returns the number of filled slots.
func listLen(ls []uint32) int {
	for j := range ls {
		if atomic.LoadUint32(&ls[j]) == none {
			return j
		}
	}
	return len(ls)
}

// writeList stores ns into ls and clears the remaining slots.
func writeList(ls []uint32, ns []Neighbor) {
	for j := range ls {
		v := none
		if j < len(ns) {
			v = ns[j].ID
		}
		atomic.StoreUint32(&ls[j], v)
	}
}
