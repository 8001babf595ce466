package lcpickle

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// The decoder (gopickle) does a constant amount of work per opcode except
// where an operation walks a value: hashing a string that becomes a set
// member or a dict key, copying one, iterating a container that BUILD,
// REDUCE or a set() call is given. A value built once can be referenced
// any number of times through the memo at two or three bytes each, so
// those walks, not the file's length, bound the work. sim replays the
// decoder's stack with a weight per value instead of the value and charges
// every reference and every walking operation its operand's weight.
//
// The opcodes, audited for work beyond their own bytes: APPEND(S), LIST,
// TUPLE*, DICT, SETITEM(S) copy or append their items once (gopickle's
// dict appends without looking keys up); FROZENSET and ADDITEMS hash
// members, and BUILD, REDUCE, NEWOBJ(_EX), OBJ and INST walk their
// operands (charged here); GET, BINGET, LONG_BINGET and DUP re-reference
// (charged); STACK_GLOBAL looks a name up (at most maxGlobalName bytes);
// LONG1, LONG4, INT and LONG decode integers (capped in scan); MARK
// nesting is bounded by maxMarkDepth and FRAME by the file. The converter
// then counts each document's text and metadata (shared values at every
// reference) and sorts set members by keys made once.

// cell is one value on the simulated stack. w is what walking it once
// costs: a string's or integer's bytes, 1 for other scalars, and for a
// container 1 plus, per item added, 1 and the item's weight if the item
// is a leaf (a string may be hashed as a key or member; a nested
// container is only a pointer until something walks it). kids holds a
// tuple's items, whose weights are charged again when an operation walks
// the tuple, as REDUCE and BUILD walk their argument one level down.
type cell struct {
	w    int64
	leaf bool
	kids []*cell
}

// touch is what walking c costs: its weight and its tuple items' current
// weights (a container mutated after it was put in the tuple included).
func (c *cell) touch() int64 {
	t := c.w
	for _, k := range c.kids {
		t = sat(t, k.w)
	}
	return t
}

// add records item as added to container c.
func (c *cell) add(item *cell) {
	c.w = sat(c.w, 1)
	if item.leaf {
		c.w = sat(c.w, item.w)
	}
}

// sim mirrors gopickle's Unpickler: the stack since the last MARK, the
// stacks saved by MARKs, and the memo keyed as gopickle keys it.
type sim struct {
	stack []*cell
	meta  [][]*cell
	memo  map[int]*cell
	m     *meter
	one   *cell // the small scalars' cell
}

// slotBytes is what each value pushed costs the decoder beyond its own
// bytes: an interface slot on its stack and then in a container.
const slotBytes = 16

var errUnderflow = fmt.Errorf("stack underflow: %w", ErrFormat)

// push puts c on the stack and charges its slot.
func (s *sim) push(c *cell) error {
	s.stack = append(s.stack, c)
	return s.m.charge(slotBytes)
}

func (s *sim) pop() (*cell, error) {
	if len(s.stack) == 0 {
		return nil, errUnderflow
	}
	c := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	return c, nil
}

func (s *sim) last() (*cell, error) {
	if len(s.stack) == 0 {
		return nil, errUnderflow
	}
	return s.stack[len(s.stack)-1], nil
}

func (s *sim) popMark() ([]*cell, error) {
	if len(s.meta) == 0 {
		return nil, errUnderflow
	}
	items := s.stack
	s.stack = s.meta[len(s.meta)-1]
	s.meta = s.meta[:len(s.meta)-1]
	return items, nil
}

// popN pops n cells, returning them in stack order.
func (s *sim) popN(n int) ([]*cell, error) {
	if len(s.stack) < n {
		return nil, errUnderflow
	}
	items := append([]*cell(nil), s.stack[len(s.stack)-n:]...)
	s.stack = s.stack[:len(s.stack)-n]
	return items, nil
}

// reference pushes c again (memo GET, DUP) and charges its weight: the
// decoder may hash, copy or walk it once more.
func (s *sim) reference(c *cell) error {
	if c == nil {
		c = &cell{w: 1, leaf: true} // gopickle pushes None for an unset memo slot
	}
	if err := s.push(c); err != nil {
		return err
	}
	return s.m.charge(c.w)
}

// walk charges an operation that walks its operands and returns the
// weight of what it builds from them.
func (s *sim) walk(cells ...*cell) (int64, error) {
	var t int64 = 1
	for _, c := range cells {
		t = sat(t, c.touch())
	}
	return t, s.m.charge(t)
}

func (s *sim) memoIndex(op byte, arg []byte, line string) (int, error) {
	switch op {
	case 'h', 'q':
		return int(arg[0]), nil
	case 'j', 'r':
		return int(binary.LittleEndian.Uint32(arg)), nil
	}
	i, err := strconv.Atoi(line)
	if err != nil {
		return 0, fmt.Errorf("memo index %q: %w", line, ErrFormat)
	}
	return i, nil
}

// step applies one opcode (arg: its argument bytes; n: the length of a
// counted argument or line; line: a line argument) to the stack.
func (s *sim) step(op byte, n int64, line string, arg []byte) error {
	switch op {
	case 0x80, 0x95: // PROTO, FRAME
		return nil
	case '(':
		s.meta = append(s.meta, s.stack)
		s.stack = nil
		return nil
	case '.', '0': // STOP, POP
		if op == '0' && len(s.stack) == 0 {
			_, err := s.popMark() // gopickle pops a MARK here
			return err
		}
		_, err := s.pop()
		return err
	case '1': // POP_MARK
		_, err := s.popMark()
		return err
	case '2': // DUP
		c, err := s.last()
		if err != nil {
			return err
		}
		return s.reference(c)
	case 'h', 'j', 'g': // BINGET, LONG_BINGET, GET
		i, err := s.memoIndex(op, arg, line)
		if err != nil {
			return err
		}
		return s.reference(s.memo[i])
	case 'q', 'r', 'p': // BINPUT, LONG_BINPUT, PUT
		i, err := s.memoIndex(op, arg, line)
		if err != nil {
			return err
		}
		c, err := s.last()
		if err != nil {
			return err
		}
		s.memo[i] = c
		return nil
	case 0x94: // MEMOIZE
		c, err := s.last()
		if err != nil {
			return err
		}
		s.memo[len(s.memo)] = c
		return nil
	case ')', ']', '}', 0x8f: // empty containers
		return s.push(&cell{w: 1})
	case 'N', 0x88, 0x89, 'K', 'M', 'J', 'G', 'c':
		if s.one == nil {
			s.one = &cell{w: 1, leaf: true}
		}
		return s.push(s.one) // shared: only a malformed pickle could grow it
	case 'I', 'L', 'F', 'S', 'V', 'U', 'C', 0x8c, 0x8a, 'B', 'X', 'T', 0x8b, 0x8d, 0x8e, 0x96:
		return s.push(&cell{w: max(n, 1), leaf: true}) // strings, bytes, integers: their bytes
	case 't', 'l', 'd', 0x91: // TUPLE, LIST, DICT, FROZENSET
		items, err := s.popMark()
		if err != nil {
			return err
		}
		return s.container(op == 't', items)
	case 0x85, 0x86, 0x87: // TUPLE1-3
		items, err := s.popN(int(op-0x85) + 1)
		if err != nil {
			return err
		}
		return s.container(true, items)
	case 'a': // APPEND
		v, err := s.pop()
		if err != nil {
			return err
		}
		c, err := s.last()
		if err != nil {
			return err
		}
		c.add(v)
		return nil
	case 's': // SETITEM
		kv, err := s.popN(2)
		if err != nil {
			return err
		}
		c, err := s.last()
		if err != nil {
			return err
		}
		c.add(kv[0])
		c.add(kv[1])
		return nil
	case 'e', 'u', 0x90: // APPENDS, SETITEMS, ADDITEMS
		items, err := s.popMark()
		if err != nil {
			return err
		}
		c, err := s.last()
		if err != nil {
			return err
		}
		for _, it := range items {
			c.add(it)
		}
		return nil
	case 'b': // BUILD: the instance takes the state's items
		st, err := s.pop()
		if err != nil {
			return err
		}
		inst, err := s.last()
		if err != nil {
			return err
		}
		w, err := s.walk(st)
		inst.w = sat(inst.w, w)
		return err
	case 'R', 0x81: // REDUCE, NEWOBJ: callable (or class) and argument tuple
		ops, err := s.popN(2)
		if err != nil {
			return err
		}
		return s.result(ops...)
	case 0x92: // NEWOBJ_EX
		ops, err := s.popN(3)
		if err != nil {
			return err
		}
		return s.result(ops...)
	case 0x93: // STACK_GLOBAL
		ops, err := s.popN(2)
		if err != nil {
			return err
		}
		if ops[0].w+ops[1].w > maxGlobalName {
			return fmt.Errorf("class name of %d bytes: %w", ops[0].w+ops[1].w, ErrFormat)
		}
		return s.result(ops...)
	case 'i', 'o': // INST, OBJ: arguments (and OBJ's class) since the MARK
		items, err := s.popMark()
		if err != nil {
			return err
		}
		return s.result(items...)
	case 0x98: // READONLY_BUFFER: gopickle leaves the stack as it is
		return nil
	}
	return fmt.Errorf("opcode 0x%02x is not simulated: %w", op, ErrFormat)
}

// container pushes a new container of items; a tuple keeps them.
func (s *sim) container(tuple bool, items []*cell) error {
	c := &cell{w: 1}
	for _, it := range items {
		c.add(it)
	}
	if tuple {
		c.kids = items
	}
	return s.push(c)
}

// result charges a call (REDUCE, NEWOBJ, INST...) for walking its
// operands and pushes its value, as heavy as what it was given (a leaf:
// a string built from the arguments may be hashed later).
func (s *sim) result(ops ...*cell) error {
	w, err := s.walk(ops...)
	if err != nil {
		return err
	}
	return s.push(&cell{w: w, leaf: true})
}
