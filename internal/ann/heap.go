package ann

// Binary heaps of Neighbor keyed on (Distance, ID), written out for the
// two orders the searches need so they neither allocate nor go through
// container/heap's interface calls. The backing slices are reused. The id
// breaks ties so that equal distances resolve to the smaller id, as exact
// search promises (identical vectors are common: an embedder maps every
// text it cannot read to one vector).

// closer reports whether a ranks before b: nearer, or as near with a
// smaller id.
func closer(a, b Neighbor) bool {
	return a.Distance < b.Distance || (a.Distance == b.Distance && a.ID < b.ID)
}

// minQueue pops the closest neighbour first (the candidate queue).
type minQueue []Neighbor

func (q *minQueue) push(x Neighbor) {
	h := append(*q, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !closer(x, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	*q = h
}

func (q *minQueue) pop() Neighbor {
	h := *q
	top := h[0]
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && closer(h[r], h[c]) {
			c = r
		}
		if !closer(h[c], x) {
			break
		}
		h[i] = h[c]
		i = c
	}
	if n > 0 {
		h[i] = x
	}
	*q = h
	return top
}

// maxQueue keeps the farthest neighbour on top (the bounded result set).
type maxQueue []Neighbor

func (q *maxQueue) push(x Neighbor) {
	h := append(*q, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !closer(h[p], x) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	*q = h
}

func (q *maxQueue) pop() Neighbor {
	h := *q
	top := h[0]
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	if n > 0 {
		h.siftDown(x)
	}
	*q = h
	return top
}

// replaceTop replaces the farthest element with x, which must be closer,
// in one sift-down: a bounded result set that is full takes a new member
// this way for half the work of push then pop.
func (q maxQueue) replaceTop(x Neighbor) { q.siftDown(x) }

// siftDown puts x at the root of the non-empty heap q, in place of
// whatever was there, and moves it down to where it belongs.
func (q maxQueue) siftDown(x Neighbor) {
	h := q
	n := len(h)
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && closer(h[c], h[r]) {
			c = r
		}
		if !closer(x, h[c]) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = x
}

// top returns the farthest element; the queue must be non-empty.
func (q maxQueue) top() Neighbor { return q[0] }

// drainSorted empties q into dst in ascending distance order and returns
// dst[:len(q)]. dst must have room for len(q) elements.
func (q *maxQueue) drainSorted(dst []Neighbor) []Neighbor {
	n := len(*q)
	dst = dst[:n]
	for i := n - 1; i >= 0; i-- {
		dst[i] = q.pop()
	}
	return dst
}
