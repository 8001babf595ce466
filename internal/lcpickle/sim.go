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
//
// Memory is charged too, per opcode, at what the decoder's Go values cost
// (the byte costs below): one byte of pickle can make a value, a
// container or a memo entry of 50 to 300 bytes, so the file's length
// alone does not bound it. A string's bytes are not charged again here:
// the file holds them once and the converter counts text and metadata.

// cell is one value on the simulated stack. w is what walking it once
// costs: a string's or integer's bytes, 1 for other scalars, and for a
// container 1 plus, per item added, 1 and the item's weight if the item
// is a leaf (a string may be hashed as a key or member; a nested
// container is only a pointer until something walks it). n counts the
// items added (a dict's keys and values each). kids holds a tuple's
// items, whose weights are charged again when an operation walks the
// tuple, as REDUCE and BUILD walk their argument one level down.
type cell struct {
	w    int64
	n    int64
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

// items is how many items walking c meets one level down: its own and
// its tuple items' (set(list) hashes the list's items).
func (c *cell) items() int64 {
	t := c.n
	for _, k := range c.kids {
		t = sat(t, k.n)
	}
	return t
}

// add records item as added to container c.
func (c *cell) add(item *cell) {
	c.n = sat(c.n, 1)
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
	memo  memoTable
	size  int // the pickle's length, which bounds the memo (memoCap)
	m     *meter
	one   *cell // the small scalars' cell

	// unicode holds each protocol 0 UNICODE argument's span in the
	// pickle, and framed whether a FRAME was seen (undoRawUnicodeEscape).
	unicode [][2]int
	framed  bool
}

// memoTable is the simulated memo: keys below len(dense) in dense (nil
// where unset), the others in sparse. Pickles number entries from 0 up,
// so dense holds them at 8 bytes each, a fraction of a map's cost: the
// simulator's own memory stays well below what it charges.
type memoTable struct {
	dense  []*cell
	sparse map[int]*cell
	n      int // distinct keys: len(memo) for gopickle's MEMOIZE
}

func (t *memoTable) get(k int) *cell {
	if k >= 0 && k < len(t.dense) {
		return t.dense[k]
	}
	return t.sparse[k]
}

func (t *memoTable) has(k int) bool {
	if k >= 0 && k < len(t.dense) {
		return t.dense[k] != nil
	}
	_, ok := t.sparse[k]
	return ok
}

// set stores c (non-nil) under k.
func (t *memoTable) set(k int, c *cell) {
	if !t.has(k) {
		t.n++
	}
	switch {
	case k >= 0 && k < len(t.dense):
		t.dense[k] = c
	case k == len(t.dense):
		delete(t.sparse, k) // set earlier, when it was beyond dense
		t.dense = append(t.dense, c)
	default:
		if t.sparse == nil {
			t.sparse = map[int]*cell{}
		}
		t.sparse[k] = c
	}
}

// What the decoder's values cost in memory, in bytes. Each is at least
// the live heap measured per value with gopickle v0.2.0 on Go 1.26
// (amd64, runtime.MemStats after decoding a million of them, the decoded
// value and the Unpickler kept; TestCosts_AtLeastMeasured checks the sum
// per shape). Garbage left by append's and the map's growth is not
// counted.
const (
	// slotBytes is a value's 16-byte interface slot on the stack, doubled
	// for append's spare capacity, charged at every push: a popped slot is
	// reused, but a stack that only grows (deep nesting) holds them all.
	slotBytes = 32
	// boxBytes is a scalar boxed in its slot: a string header, an int or
	// a float (16 bytes measured).
	boxBytes = 16
	// itemBytes is an item added to a list, tuple or dict: its 16-byte
	// slot there (half a key-value entry). Its spare capacity is the
	// slotBytes the item was charged when pushed: a value's slot is on
	// the stack or in a container, and a LIST or TUPLE keeps the stack's.
	itemBytes = 16
	// entryBytes is an item a Go map receives: a set member (56 measured)
	// or half an entry of the state map BUILD fills (84 an entry).
	entryBytes = 64
	// memoEntryBytes is one memo entry: gopickle's map[int]any (24-byte
	// slots at up to 7/8 load) measured 35 to 56 bytes an entry between
	// 1e3 and 4e6 entries, the most just after its tables split.
	memoEntryBytes = 64
	// listBytes, dictBytes, setBytes and tupleBytes are the empty
	// containers: a 24-byte header and 4 slots (88 measured), 4 entries
	// (152), a small map (56), none (24; TUPLE1-3 add their items).
	listBytes  = 88
	dictBytes  = 152
	setBytes   = 56
	tupleBytes = 24
	// markBytes is the 16-slot stack each MARK starts, kept by the list or
	// tuple LIST and TUPLE make of it (with the header, 280 of the 298
	// measured for each "(t" in a list).
	markBytes = 256
)

// memoCap is the number of memo entries a pickle of size bytes may make.
// Python memoizes each object once, and each entry takes a memo opcode
// (MEMOIZE, BINPUT...) and at least one byte making its object, so a
// pickle Python wrote has at most size/2 (LangChain's have 0.05 to 0.12
// an input byte: one per string, dict, list, tuple and object). The
// budget charges each entry too; the cap bounds a small file under a
// large budget (a MEMOIZE flood is one entry per byte).
func memoCap(size int) int { return size / 2 }

var errUnderflow = fmt.Errorf("stack underflow: %w", ErrFormat)

// push puts c on the stack and charges its slot and extra, the memory
// the new value holds.
func (s *sim) push(c *cell, extra int64) error {
	s.stack = append(s.stack, c)
	return s.m.charge(sat(slotBytes, extra))
}

// memoize stores c under memo key i, charging a new entry.
func (s *sim) memoize(i int, c *cell) error {
	if !s.memo.has(i) {
		if err := s.m.charge(memoEntryBytes); err != nil {
			return err
		}
		if limit := memoCap(s.size); s.memo.n >= limit {
			return fmt.Errorf("more than %d memo entries in a %d-byte pickle (Python writes at most one per 2 bytes): %w", limit, s.size, ErrFormat)
		}
	}
	s.memo.set(i, c)
	return nil
}

// addItems adds items to container c, charging each per bytes.
func (s *sim) addItems(c *cell, per int64, items ...*cell) error {
	for _, it := range items {
		c.add(it)
	}
	return s.m.charge(satMul(int64(len(items)), per))
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
	if err := s.push(c, 0); err != nil { // the interface is copied, not boxed again
		return err
	}
	return s.m.charge(c.w)
}

// walk charges an operation that walks its operands and returns the
// weight of what it builds from them. What it builds may hold every item
// it meets in a Go map (set(list), an object's state): entryBytes each.
func (s *sim) walk(cells ...*cell) (int64, error) {
	var t, items int64 = 1, 0
	for _, c := range cells {
		t = sat(t, c.touch())
		items = sat(items, c.items())
	}
	return t, s.m.charge(sat(t, satMul(items, entryBytes)))
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
		if !s.memo.has(i) {
			// Python refuses it ("Memo value not found"); gopickle would
			// push None, a value the file never held.
			return fmt.Errorf("memo index %d was never set: %w", i, ErrFormat)
		}
		return s.reference(s.memo.get(i))
	case 'q', 'r', 'p': // BINPUT, LONG_BINPUT, PUT
		i, err := s.memoIndex(op, arg, line)
		if err != nil {
			return err
		}
		if i < 0 {
			return fmt.Errorf("negative memo index %d: %w", i, ErrFormat) // as gopickle refuses it
		}
		c, err := s.last()
		if err != nil {
			return err
		}
		return s.memoize(i, c)
	case 0x94: // MEMOIZE
		c, err := s.last()
		if err != nil {
			return err
		}
		return s.memoize(s.memo.n, c)
	case ')':
		return s.push(&cell{w: 1}, tupleBytes)
	case ']':
		return s.push(&cell{w: 1}, listBytes)
	case '}':
		return s.push(&cell{w: 1}, dictBytes)
	case 0x8f: // EMPTY_SET
		return s.push(&cell{w: 1}, setBytes)
	case 'N', 0x88, 0x89, 'K', 'M', 'J', 'G', 'c':
		if s.one == nil {
			s.one = &cell{w: 1, leaf: true}
		}
		return s.push(s.one, boxBytes) // shared: only a malformed pickle could grow it
	case 'I', 'L', 'F', 'S', 'V', 'U', 'C', 0x8c, 0x8a, 'B', 'X', 'T', 0x8b, 0x8d, 0x8e, 0x96:
		return s.push(&cell{w: max(n, 1), leaf: true}, boxBytes) // strings, bytes, integers: their bytes
	case 't', 'l', 'd', 0x91: // TUPLE, LIST, DICT, FROZENSET
		items, err := s.popMark()
		if err != nil {
			return err
		}
		return s.container(op, items)
	case 0x85, 0x86, 0x87: // TUPLE1-3
		items, err := s.popN(int(op-0x85) + 1)
		if err != nil {
			return err
		}
		return s.container(op, items)
	case 'a': // APPEND
		v, err := s.pop()
		if err != nil {
			return err
		}
		c, err := s.last()
		if err != nil {
			return err
		}
		return s.addItems(c, itemBytes, v)
	case 's': // SETITEM
		kv, err := s.popN(2)
		if err != nil {
			return err
		}
		c, err := s.last()
		if err != nil {
			return err
		}
		return s.addItems(c, itemBytes, kv...)
	case 'e', 'u', 0x90: // APPENDS, SETITEMS, ADDITEMS
		items, err := s.popMark()
		if err != nil {
			return err
		}
		c, err := s.last()
		if err != nil {
			return err
		}
		per := int64(itemBytes)
		if op == 0x90 {
			per = entryBytes // set members
		}
		return s.addItems(c, per, items...)
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

// container pushes the container op makes of items; a tuple keeps them.
func (s *sim) container(op byte, items []*cell) error {
	c := &cell{w: 1}
	for _, it := range items {
		c.add(it)
	}
	base, per := int64(tupleBytes), int64(itemBytes)
	switch op {
	case 't', 'l': // the MARK's stack becomes the tuple's or list's
		base += markBytes
	case 'd':
		base = dictBytes
	case 0x91:
		base, per = setBytes, entryBytes
	}
	if op == 't' || op >= 0x85 && op <= 0x87 {
		c.kids = items
	}
	return s.push(c, sat(base, satMul(int64(len(items)), per)))
}

// result charges a call (REDUCE, NEWOBJ, INST...) for walking its
// operands and pushes its value, as heavy as what it was given (a leaf:
// a string built from the arguments may be hashed later).
func (s *sim) result(ops ...*cell) error {
	w, err := s.walk(ops...)
	if err != nil {
		return err
	}
	return s.push(&cell{w: w, leaf: true}, boxBytes)
}
