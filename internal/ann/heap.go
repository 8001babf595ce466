package ann

// Binary heaps of Neighbor keyed on Distance, written out for the two
// orders the searches need so they neither allocate nor go through
// container/heap's interface calls. The backing slices are reused.

// minQueue pops the closest neighbour first (the candidate queue).
type minQueue []Neighbor

func (q *minQueue) push(x Neighbor) {
	h := append(*q, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].Distance <= x.Distance {
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
		if r := c + 1; r < n && h[r].Distance < h[c].Distance {
			c = r
		}
		if x.Distance <= h[c].Distance {
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
		if h[p].Distance >= x.Distance {
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
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h[r].Distance > h[c].Distance {
			c = r
		}
		if x.Distance >= h[c].Distance {
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
