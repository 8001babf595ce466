package ann

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// none marks an empty slot in a neighbour list. Lists are filled from the
// front; the first none ends the list.
const none = ^uint32(0)

// maxNodes bounds the number of vectors so every id fits below none.
const maxNodes = uint64(none)

// Limits on configuration values, also enforced when reading a graph.
const (
	maxM     = 1024 // level-0 stride 2M stays at most 2048 slots
	maxLevel = 64   // levels are drawn with p = 1/M per level; 64 is never reached in practice
	maxEF    = 1 << 20
)

// MaxWorkers bounds HNSWConfig.Workers: more goroutines than this only
// contend for the graph's locks.
const MaxWorkers = 1024

// Defaults for zero HNSWConfig fields.
const (
	DefaultM              = 16
	DefaultEFConstruction = 200
	DefaultEFSearch       = 64
	DefaultSeed           = 1
)

// HNSWConfig sets the build and search parameters of an HNSW index. Zero
// fields take the defaults: M 16, EFConstruction 200, EFSearch 64, Workers
// GOMAXPROCS (at most MaxWorkers), Seed 1.
type HNSWConfig struct {
	// M is the number of links a node gets per upper layer; layer 0 keeps
	// up to 2M.
	M int
	// EFConstruction is the candidate list size while inserting.
	EFConstruction int
	// EFSearch is the default candidate list size for Search.
	EFSearch int
	// Workers is the number of goroutines inserting in parallel.
	Workers int
	// Seed drives the level draws. With Workers 1 a build is deterministic.
	Seed int64
}

// Check reports what NewHNSW would refuse in c (zero fields take the
// defaults), so a command can refuse its flags before any work.
func (c HNSWConfig) Check() error {
	_, err := c.withDefaults()
	return err
}

// withDefaults fills zero fields and validates the rest.
func (c HNSWConfig) withDefaults() (HNSWConfig, error) {
	if c.M == 0 {
		c.M = DefaultM
	}
	if c.EFConstruction == 0 {
		c.EFConstruction = DefaultEFConstruction
	}
	if c.EFSearch == 0 {
		c.EFSearch = DefaultEFSearch
	}
	if c.Workers == 0 {
		c.Workers = min(runtime.GOMAXPROCS(0), MaxWorkers)
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	switch {
	case c.M < 2 || c.M > maxM:
		return c, fmt.Errorf("ann: HNSW M %d out of range [2, %d]", c.M, maxM)
	case c.EFConstruction < 1 || c.EFConstruction > maxEF:
		return c, fmt.Errorf("ann: HNSW EFConstruction %d out of range [1, %d]", c.EFConstruction, maxEF)
	case c.EFSearch < 1 || c.EFSearch > maxEF:
		return c, fmt.Errorf("ann: HNSW EFSearch %d out of range [1, %d]", c.EFSearch, maxEF)
	case c.Workers < 1 || c.Workers > MaxWorkers:
		return c, fmt.Errorf("ann: HNSW Workers %d out of range [1, %d]", c.Workers, MaxWorkers)
	}
	return c, nil
}

// HNSW is a hierarchical navigable small world graph over contiguous
// float32 rows. See the package documentation for the memory layout.
type HNSW struct {
	space
	n   int
	cfg HNSWConfig
	m0  int // level-0 stride and capacity, 2M
	m   int // upper-layer stride and capacity, M

	level0   []uint32 // n*m0 slots; node i's list at [i*m0, (i+1)*m0)
	levels   []uint8  // top layer of each node
	upperOff []uint32 // node i's first upper slot in upper, if levels[i] > 0
	upper    []uint32 // layers 1..levels[i] of node i, m slots each

	entry    uint32 // node on the top layer where searches start
	maxLevel int    // levels[entry]

	sq *sq8Space // non-nil: searches walk the graph on SQ8 codes (WithSQ8)

	pool sync.Pool // *searchCtx
}

var _ Index = (*HNSW)(nil)

// Len returns the number of vectors.
func (h *HNSW) Len() int { return h.n }

// Dim returns the vector dimension.
func (h *HNSW) Dim() int { return h.dim }

// Metric returns the index metric.
func (h *HNSW) Metric() Metric { return h.metric }

// Config returns the effective configuration (defaults filled in).
func (h *HNSW) Config() HNSWConfig { return h.cfg }

// Vectors returns the stored rows (normalised for Cosine), for the caller
// to persist next to WriteGraph's output. Callers must not modify them.
func (h *HNSW) Vectors() []float32 { return h.vectors }

// MemoryBytes returns the bytes the index holds: vectors plus graph.
func (h *HNSW) MemoryBytes() int64 {
	return int64(len(h.vectors))*4 + h.GraphBytes()
}

// GraphBytes returns the bytes the graph holds, without the vectors.
func (h *HNSW) GraphBytes() int64 {
	return int64(len(h.level0))*4 + int64(len(h.levels)) + int64(len(h.upperOff))*4 + int64(len(h.upper))*4
}

// links returns the slot slice of node id on layer l. Slots are read with
// atomic loads because a parallel build rewrites them while other workers
// traverse; on amd64 and arm64 such a load is a plain move.
func (h *HNSW) links(id uint32, l int) []uint32 {
	if l == 0 {
		off := int(id) * h.m0
		return h.level0[off : off+h.m0 : off+h.m0]
	}
	off := int(h.upperOff[id]) + (l-1)*h.m
	return h.upper[off : off+h.m : off+h.m]
}

// searchCtx is per-search scratch, pooled so a query allocates only its
// result.
type searchCtx struct {
	visited visitedSet
	cand    minQueue
	res     maxQueue
	q       []float32
	batch   []uint32   // unvisited neighbours of the node being expanded
	dists   []float32  // their distances, batch[i] at dists[i]
	sqq     sqQuery    // the query prepared for SQ8 codes
	sorted  []Neighbor // build: candidates in ascending order
	sel     []Neighbor // build: selected neighbours
	tmp     []Neighbor // build: back-link repair candidates
	kept    []Neighbor // build: back-link repair result
}

func (h *HNSW) newCtx() *searchCtx {
	return &searchCtx{
		visited: visitedSet{tags: make([]uint16, h.n)},
		q:       make([]float32, h.dim),
		batch:   make([]uint32, 0, h.m0),
		dists:   make([]float32, h.m0),
	}
}

func (h *HNSW) getCtx() *searchCtx {
	if c, ok := h.pool.Get().(*searchCtx); ok {
		return c
	}
	return h.newCtx()
}

// visitedSet marks nodes seen by one search without clearing per search:
// a node is visited when its tag equals the current epoch.
type visitedSet struct {
	tags  []uint16
	epoch uint16
}

// reset starts a new search; the tags are cleared only when the epoch
// wraps, once every 65535 searches.
func (v *visitedSet) reset() {
	v.epoch++
	if v.epoch == 0 {
		clear(v.tags)
		v.epoch = 1
	}
}

// Search returns up to k approximate nearest neighbours, closest first.
// See SearchOptions for EF and Filter; a filtered search runs as an exact
// scan when a cost estimate favours it, or when the graph walk overruns its
// estimate without finding k admitted nodes (see package doc).
func (h *HNSW) Search(query []float32, k int, opts SearchOptions) ([]Neighbor, error) {
	if err := checkQuery(query, h.dim); err != nil {
		return nil, err
	}
	defer runtime.KeepAlive(h) // h.owner: the rows' memory (Retain)
	if k <= 0 || h.n == 0 {
		return nil, nil
	}
	c := h.getCtx()
	defer h.pool.Put(c)
	q := query
	if h.metric == Cosine {
		q = c.q
		copy(q, query)
		Normalize(q)
	}
	ef := opts.EF
	if ef <= 0 {
		ef = h.cfg.EFSearch
	}
	ef = max(ef, k)
	limit := 0
	if opts.Filter != nil {
		if limit = h.walkLimit(opts.Filter, k, ef); limit == 0 {
			return scanTopK(&h.space, h.n, q, k, opts.Filter), nil
		}
	}

	if h.sq != nil {
		h.sq.prepare(c, q)
	}
	ep := h.entry
	epDist := h.nodeDist(c, q, ep)
	for l := h.maxLevel; l > 0; l-- {
		ep, epDist = h.greedy(c, q, ep, epDist, l)
	}
	if !h.searchLayer(c, q, ep, epDist, ef, 0, opts.Filter, limit) && len(c.res) < k {
		// The sample overestimated the filter: the walk has cost several
		// times its estimate without finding k admitted nodes.
		return scanTopK(&h.space, h.n, q, k, opts.Filter), nil
	}
	if h.sq != nil {
		return h.rescoreTop(c, q, k), nil
	}
	for len(c.res) > k {
		c.res.pop()
	}
	return c.res.drainSorted(make([]Neighbor, len(c.res))), nil
}

// Filter handling. The graph search keeps walking through rejected nodes
// and collects only admitted ones, so with a filter admitting a fraction p
// of the nodes it computes about graphDistPerEF*ef/p distances. An exact
// scan calls the filter n times and computes p*n distances. Costs are in
// units of one distance computed during a scan; filterCostRatio is a
// filter call plus the scan loop in those units. walkLimit estimates p from
// filterSamples ids spread evenly over the index and picks the cheaper
// path. BenchmarkFilteredSearch_D128 fitted the constants at 20k and 50k
// nodes (doc.go gives the numbers).
const (
	filterSamples   = 256
	graphDistPerEF  = 26  // graph distances per unit of ef, times 1/p
	filterCostRatio = 0.1 // filter call per row, in scan distances
	walkOverrun     = 3   // a walk may cost this many times its estimate
	walkMaxFraction = 4   // and never more than n/walkMaxFraction distances
)

// walkLimit returns 0 when a filtered search should scan all rows exactly,
// else the number of distances the graph walk may compute before Search
// gives up on it and scans.
func (h *HNSW) walkLimit(filter func(uint32) bool, k, ef int) int {
	if h.n <= 4*max(k, filterSamples) {
		return 0 // small: a scan is as cheap as the graph and exact
	}
	admitted := 0
	step := h.n / filterSamples
	for i := 0; i < filterSamples; i++ {
		if filter(uint32(i * step)) {
			admitted++
		}
	}
	if admitted == 0 {
		return 0
	}
	p := float64(admitted) / filterSamples
	exact := float64(h.n) * (filterCostRatio + p)
	graph := graphDistPerEF * float64(ef) / p
	if exact < graph {
		return 0
	}
	return max(1, min(int(walkOverrun*graph), h.n/walkMaxFraction))
}

// nodeDist returns the distance from q to node id: exact, or on the SQ8
// codes when the index has them.
func (h *HNSW) nodeDist(c *searchCtx, q []float32, id uint32) float32 {
	if h.sq != nil {
		var d [1]float32
		h.sqDistBatch(c, []uint32{id}, d[:])
		return d[0]
	}
	return h.dist(q, id)
}

// distances stores the distances from q to ids in out: exact, or on the
// SQ8 codes when the index has them.
func (h *HNSW) distances(c *searchCtx, q []float32, ids []uint32, out []float32) {
	if h.sq != nil {
		h.sqDistBatch(c, ids, out)
		return
	}
	h.distBatch(q, ids, out)
}

// greedy walks layer l from ep to a local minimum of the distance to q.
func (h *HNSW) greedy(c *searchCtx, q []float32, ep uint32, epDist float32, l int) (uint32, float32) {
	for changed := true; changed; {
		changed = false
		ls := h.links(ep, l)
		batch := c.batch[:0]
		for j := range ls {
			nb := atomic.LoadUint32(&ls[j])
			if nb == none {
				break
			}
			batch = append(batch, nb)
		}
		c.batch = batch
		dists := c.dists[:len(batch)]
		h.distances(c, q, batch, dists)
		for i, d := range dists {
			if d < epDist {
				ep, epDist, changed = batch[i], d, true
			}
		}
	}
	return ep, epDist
}

// searchLayer runs the beam search on layer l from ep with a candidate list
// of ef, leaving the best ef admitted nodes in c.res (a max-queue). With a
// filter it keeps expanding until ef admitted nodes are held, traversing
// rejected nodes without collecting them. When limit > 0 it stops after
// computing limit distances and reports false; otherwise it reports true.
func (h *HNSW) searchLayer(c *searchCtx, q []float32, ep uint32, epDist float32, ef, l int, filter func(uint32) bool, limit int) bool {
	c.visited.reset()
	tags, epoch := c.visited.tags, c.visited.epoch
	c.cand = c.cand[:0]
	c.res = c.res[:0]

	tags[ep] = epoch
	c.cand.push(Neighbor{ID: ep, Distance: epDist})
	bound := inf32
	if filter == nil || filter(ep) {
		c.res.push(Neighbor{ID: ep, Distance: epDist})
		bound = epDist
	}
	for len(c.cand) > 0 {
		cur := c.cand[0]
		if cur.Distance > bound && (len(c.res) >= ef || filter == nil) {
			break
		}
		c.cand.pop()
		if len(c.cand) > 0 {
			// The next node to expand is likely the new best candidate:
			// start loading its list while this one is worked on.
			next := h.links(c.cand[0].ID, l)
			prefetch(unsafe.Pointer(&next[0]), 4*len(next))
		}
		// Gather the unvisited neighbours first, then compute their
		// distances while prefetching the vectors of the ones after:
		// the rows are scattered over memory and a cache miss costs more
		// than the SIMD dot product itself.
		ls := h.links(cur.ID, l)
		batch := c.batch[:0]
		for j := range ls {
			nb := atomic.LoadUint32(&ls[j])
			if nb == none {
				break
			}
			if tags[nb] == epoch {
				continue
			}
			tags[nb] = epoch
			batch = append(batch, nb)
		}
		c.batch = batch
		if limit > 0 {
			if limit -= len(batch); limit <= 0 {
				return false
			}
		}
		dists := c.dists[:len(batch)]
		h.distances(c, q, batch, dists)
		for i, nb := range batch {
			d := dists[i]
			if len(c.res) < ef || d < bound {
				c.cand.push(Neighbor{ID: nb, Distance: d})
				if filter == nil || filter(nb) {
					if len(c.res) < ef {
						c.res.push(Neighbor{ID: nb, Distance: d})
					} else {
						c.res.replaceTop(Neighbor{ID: nb, Distance: d})
					}
				}
				if len(c.res) > 0 {
					bound = c.res.top().Distance
				}
			}
		}
	}
	return true
}

const inf32 float32 = math.MaxFloat32
