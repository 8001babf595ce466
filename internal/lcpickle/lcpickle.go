package lcpickle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"sort"
	"strconv"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// Sentinel errors for callers to branch on with errors.Is.
var (
	// ErrFormat marks bytes that are not a well-formed pickle of a
	// LangChain docstore.
	ErrFormat = errors.New("lcpickle: malformed index.pkl")
	// ErrClass marks a pickle that names a class outside the allow-list.
	ErrClass = errors.New("lcpickle: class not allowed")
)

// maxDepth bounds the nesting of metadata values.
const maxDepth = 128

// MaxMetadataBytes bounds one document's metadata as JSON (shared values
// counted at every reference): a search hit carries it, so it bounds what
// one hit costs to answer. Real LangChain metadata (source, page, title,
// an HTML table from unstructured) is far smaller.
const MaxMetadataBytes = 1 << 20

// Document is one LangChain Document.
type Document struct {
	ID          string         // Document.id (langchain_core, pydantic v2); often empty
	PageContent string         // page_content
	Metadata    map[string]any // values as encoding/json decodes them; see converter.value
}

// Docstore is the content of index.pkl.
type Docstore struct {
	// Documents maps docstore ids to Documents.
	Documents map[string]Document
	// IndexToDocstoreID maps FAISS labels (the ids a search returns: the
	// row, unless the index has an id map) to docstore ids.
	IndexToDocstoreID map[int]string
}

// ReadFile reads and decodes the index.pkl file at path with the default
// Options.
func ReadFile(path string) (*Docstore, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lcpickle: read: %w", err)
	}
	return Decode(b)
}

// Decode decodes a pickled (InMemoryDocstore, {int: str}) tuple with the
// default Options.
func Decode(b []byte) (*Docstore, error) {
	return DecodeContext(context.Background(), b, Options{})
}

// DecodeContext decodes a pickled (InMemoryDocstore, {int: str}) tuple
// within opts' budget (ErrBudget past it). It checks ctx every few
// thousand opcodes and values and returns ctx's error, wrapped, once it is
// done. Time and memory are linear in len(b) plus the budget.
func DecodeContext(ctx context.Context, b []byte, opts Options) (*Docstore, error) {
	m := newMeter(ctx, opts)
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := m.charge(int64(len(b))); err != nil {
		return nil, fmt.Errorf("lcpickle: %w", err)
	}
	b, err := scan(b, m)
	if err != nil {
		return nil, err
	}
	u := pickle.NewUnpickler(&ctxReader{Reader: bytes.NewReader(b), m: m})
	u.FindClass = findClass
	v, err := load(&u)
	if err != nil {
		if cerr := m.check(); cerr != nil {
			return nil, cerr
		}
		if errors.Is(err, ErrClass) || errors.Is(err, ErrFormat) {
			return nil, err
		}
		return nil, fmt.Errorf("lcpickle: decode: %w: %w", err, ErrFormat)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	textCost := max(opts.TextCost, 1)
	return convert(v, m, textCost)
}

// ctxReader lets the decoder notice cancellation: gopickle reads each
// frame (or, unframed, each opcode) through it.
type ctxReader struct {
	*bytes.Reader
	m *meter
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.m.tick(); err != nil {
		return 0, err
	}
	return r.Reader.Read(p)
}

func (r *ctxReader) ReadByte() (byte, error) {
	if err := r.m.tick(); err != nil {
		return 0, err
	}
	return r.Reader.ReadByte()
}

// load runs the unpickler, turning a panic inside it into an error: the
// scan rules out the inputs known to make gopickle panic, this is the net
// for the rest.
func load(u *pickle.Unpickler) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("lcpickle: decoder failed on malformed input (%v): %w", r, ErrFormat)
		}
	}()
	return u.Load()
}

// class stands for one allowed Python class. Its instances record the
// state BUILD gives them and nothing else.
type class struct {
	module, name string
	kind         string // "docstore" or "document"
}

// PyNew returns an empty instance; constructor arguments are ignored (a
// pickled LangChain object has none).
func (c *class) PyNew(args ...any) (any, error) {
	return &object{class: c, state: map[string]any{}}, nil
}

type object struct {
	class *class
	state map[string]any
}

// PyDictSet records one BUILD state entry.
func (o *object) PyDictSet(key, value any) error {
	k, ok := key.(string)
	if !ok {
		return fmt.Errorf("lcpickle: %s state key %T is not a string: %w", o.class.name, key, ErrFormat)
	}
	o.state[k] = value
	return nil
}

// PySetAttr records one BUILD slot-state entry.
func (o *object) PySetAttr(key string, value any) error {
	o.state[key] = value
	return nil
}

var (
	docstoreModules = []string{"langchain_community.docstore.in_memory", "langchain.docstore.in_memory"}
	documentModules = []string{"langchain_core.documents.base", "langchain_core.documents", "langchain.schema",
		"langchain.schema.document", "langchain.docstore.document"}
)

// classFor returns the stand-in for an allowed class, or nil.
func classFor(module, name string) *class {
	var mods []string
	kind := ""
	switch name {
	case "InMemoryDocstore":
		mods, kind = docstoreModules, "docstore"
	case "Document":
		mods, kind = documentModules, "document"
	}
	for _, m := range mods {
		if m == module {
			return &class{module: module, name: name, kind: kind}
		}
	}
	return nil
}

func findClass(module, name string) (any, error) {
	if v := resolve(module, name); v != nil {
		return v, nil
	}
	return nil, fmt.Errorf("lcpickle: %w", refuseClass(module, name))
}

// refuseClass is the error for a global outside the allow-list.
func refuseClass(module, name string) error {
	return fmt.Errorf("%s.%s (only LangChain InMemoryDocstore and Document, metadata value types and Enum members are read): %w", module, name, ErrClass)
}

// convert checks the decoded shape and builds the Docstore, charging m
// for each document's text (textCost per byte), id and metadata.
func convert(v any, m *meter, textCost int64) (*Docstore, error) {
	tup, ok := v.(*types.Tuple)
	if !ok || tup.Len() != 2 {
		return nil, fmt.Errorf("lcpickle: top level is %s, want a (docstore, index_to_docstore_id) tuple: %w", typeName(v), ErrFormat)
	}
	store, ok := tup.Get(0).(*object)
	if !ok || store.class.kind != "docstore" {
		return nil, fmt.Errorf("lcpickle: first item is %s, want InMemoryDocstore: %w", typeName(tup.Get(0)), ErrFormat)
	}
	raw, ok := store.state["_dict"].(*types.Dict)
	if !ok {
		return nil, fmt.Errorf("lcpickle: InMemoryDocstore._dict is %s, want a dict: %w", typeName(store.state["_dict"]), ErrFormat)
	}
	c := converter{seen: map[any]any{}, active: map[any]bool{}, size: map[any]int64{}, m: m}
	ds := &Docstore{Documents: make(map[string]Document, raw.Len())}
	metaCost := make(map[string]int64, raw.Len()) // each document's metadata, as JSON
	for _, e := range *raw {
		if err := m.tick(); err != nil {
			return nil, err
		}
		id, ok := e.Key.(string)
		if !ok {
			return nil, fmt.Errorf("lcpickle: docstore key %s is not a string: %w", typeName(e.Key), ErrFormat)
		}
		id = text(id)
		if _, dup := ds.Documents[id]; dup {
			return nil, fmt.Errorf("lcpickle: docstore id %q appears twice: %w", id, ErrFormat)
		}
		before := c.used
		doc, err := c.document(id, e.Value)
		if err != nil {
			return nil, err
		}
		metaCost[id] = c.used - before
		// The text is shared with the decoded pickle, but every chunk holds
		// and indexes its own: a string referenced by many documents costs
		// its length at each.
		if err := m.charge(sat(int64(len(doc.PageContent))*textCost, int64(len(id)+len(doc.ID)))); err != nil {
			return nil, fmt.Errorf("lcpickle: docstore[%q]: %w", id, err)
		}
		ds.Documents[id] = doc
	}
	mapping, ok := tup.Get(1).(*types.Dict)
	if !ok {
		return nil, fmt.Errorf("lcpickle: second item is %s, want the index_to_docstore_id dict: %w", typeName(tup.Get(1)), ErrFormat)
	}
	ds.IndexToDocstoreID = make(map[int]string, mapping.Len())
	named := make(map[string]bool, len(ds.Documents))
	for _, e := range *mapping {
		if err := m.tick(); err != nil {
			return nil, err
		}
		row, ok := e.Key.(int)
		if !ok || row < 0 {
			return nil, fmt.Errorf("lcpickle: index_to_docstore_id key %v (%s) is not a row number: %w", e.Key, typeName(e.Key), ErrFormat)
		}
		id, ok := e.Value.(string)
		if !ok {
			return nil, fmt.Errorf("lcpickle: index_to_docstore_id[%d] is %s, want str: %w", row, typeName(e.Value), ErrFormat)
		}
		if err := m.charge(int64(len(id))); err != nil {
			return nil, fmt.Errorf("lcpickle: index_to_docstore_id: %w", err)
		}
		id = text(id)
		if _, dup := ds.IndexToDocstoreID[row]; dup {
			return nil, fmt.Errorf("lcpickle: index_to_docstore_id row %d appears twice: %w", row, ErrFormat)
		}
		// Each row is a chunk of its own, held, saved and indexed apart:
		// a document named by more rows costs its text and metadata again
		// at each (save_local never writes one, but a tiny pickle could
		// name one long text from thousands of rows).
		if doc, ok := ds.Documents[id]; ok {
			if named[id] {
				if err := m.charge(sat(satMul(int64(len(doc.PageContent)), textCost), metaCost[id])); err != nil {
					return nil, fmt.Errorf("lcpickle: index_to_docstore_id[%d]: %w", row, err)
				}
			}
			named[id] = true
		}
		ds.IndexToDocstoreID[row] = id
	}
	return ds, nil
}

// converter turns gopickle values into plain Go values. A container seen
// twice yields the same Go value; a container inside itself is an error.
type converter struct {
	seen   map[any]any
	active map[any]bool
	// A value used in several places becomes one shared Go value, so a
	// tiny pickle of nested shared lists (or one long string referenced
	// many times) can stand for gigabytes once encoded as JSON. used counts
	// the encoded size as if everything shared were copied (a string's
	// length, a few bytes per other value); size remembers each
	// container's; m's budget bounds the total along with the rest of the
	// load (nil: a meter of DefaultMaxBytes).
	used int64
	size map[any]int64
	m    *meter
}

// count adds n to the expanded size and fails past the budget.
func (c *converter) count(n int64) error {
	if c.m == nil {
		c.m = newMeter(context.Background(), Options{})
	}
	c.used = sat(c.used, n)
	if err := c.m.charge(n); err != nil {
		return fmt.Errorf("metadata would expand past the budget: %w", err)
	}
	return c.m.tick()
}

func (c *converter) document(id string, v any) (Document, error) {
	obj, ok := v.(*object)
	if !ok || obj.class.kind != "document" {
		return Document{}, fmt.Errorf("lcpickle: docstore[%q] is %s, want Document: %w", id, typeName(v), ErrFormat)
	}
	fields := map[string]any{}
	if d, ok := obj.state["__dict__"]; ok {
		dict, ok := d.(*types.Dict)
		if !ok {
			return Document{}, fmt.Errorf("lcpickle: docstore[%q].__dict__ is %s, want dict: %w", id, typeName(d), ErrFormat)
		}
		for _, e := range *dict {
			if k, ok := e.Key.(string); ok {
				fields[k] = e.Value
			}
		}
	} else {
		fields = obj.state // a plain object pickled without __getstate__
	}
	var doc Document
	content, ok := fields["page_content"].(string)
	if !ok {
		return Document{}, fmt.Errorf("lcpickle: docstore[%q].page_content is %s, want str: %w", id, typeName(fields["page_content"]), ErrFormat)
	}
	doc.PageContent = text(content)
	switch did := fields["id"].(type) {
	case nil:
	case string:
		doc.ID = text(did)
	default:
		return Document{}, fmt.Errorf("lcpickle: docstore[%q].id is %s, want str or None: %w", id, typeName(did), ErrFormat)
	}
	switch md := fields["metadata"].(type) {
	case nil:
	case *types.Dict, *types.OrderedDict:
		before := c.used
		m, err := c.value(md, 0)
		if err != nil {
			return Document{}, fmt.Errorf("lcpickle: docstore[%q].metadata: %w", id, err)
		}
		if n := c.used - before; n > MaxMetadataBytes {
			return Document{}, fmt.Errorf("lcpickle: docstore[%q].metadata: would expand to %d bytes of JSON, more than %d: %w", id, n, MaxMetadataBytes, ErrBudget)
		}
		doc.Metadata = m.(map[string]any)
	default:
		return Document{}, fmt.Errorf("lcpickle: docstore[%q].metadata is %s, want dict: %w", id, typeName(md), ErrFormat)
	}
	return doc, nil
}

// value converts one pickled value to what encoding/json would decode from
// its JSON form: None, bool, int (float64, or json.Number beyond float64's
// exact integers), float (non-finite ones as the strings "NaN", "Infinity",
// "-Infinity", which JSON cannot carry), str, bytes (as str), list, tuple,
// set and frozenset (as []any) and dict (as map[string]any; non-string keys
// are formatted as Python's json module would).
func (c *converter) value(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d: %w", maxDepth, ErrFormat)
	}
	before := c.used
	cost := int64(8) // a number, a bool, null, or a container's brackets
	switch x := v.(type) {
	case string:
		cost = int64(len(x)) + 2
	case []byte:
		cost = int64(len(x)) + 2
	case *types.ByteArray:
		cost = int64(len(*x)) + 2
	}
	if err := c.count(cost); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil, bool:
		return x, nil
	case string:
		return text(x), nil
	case int:
		return intValue(int64(x)), nil
	case *big.Int: // at most maxIntBytes (scan), so String is cheap
		return json.Number(x.String()), c.count(int64(x.BitLen()/3 + 1))
	case json.Number: // a Decimal
		return x, c.count(int64(len(x)))
	case float64:
		return floatValue(x), nil
	case []byte:
		return string(x), nil
	case *types.ByteArray:
		return string(*x), nil
	case *enumValue:
		return c.value(x.value, depth+1)
	case *uuidValue:
		if x.n == nil {
			return nil, fmt.Errorf("uuid.UUID without its int: %w", ErrFormat)
		}
		return x.String(), nil
	case *timedelta: // total_seconds(), as FastAPI's encoder gives it
		return float64(x.totalMicros()) / 1e6, nil
	}
	switch x := v.(type) {
	case *types.List, *types.Tuple, *types.Set, *types.FrozenSet, *types.Dict, *types.OrderedDict:
	case *ndarray:
		if !x.built {
			return nil, fmt.Errorf("numpy array without its state: %w", ErrFormat)
		}
	default:
		return nil, fmt.Errorf("value of type %s is not supported in metadata: %w", typeName(v), ErrFormat)
	}
	if out, ok := c.seen[v]; ok {
		return out, c.count(c.size[v] - cost) // cost counted above
	}
	if c.active[v] {
		return nil, fmt.Errorf("container contains itself: %w", ErrFormat)
	}
	c.active[v] = true
	defer delete(c.active, v)
	var out any
	switch x := v.(type) {
	case *ndarray:
		// Each element counts like any number toward the budget, or
		// like a string of its full width for str_ and bytes_; each
		// nested list like its brackets. An array a document's metadata
		// cannot hold is refused before it is built: its nested lists
		// need not be bounded by its bytes in the file.
		per := int64(8)
		if x.dt.kind == 'U' || x.dt.kind == 'S' {
			per = max(per, int64(x.dt.size)+2)
		}
		n := sat(satMul(per, int64(x.elements())), satMul(2, x.slots()))
		if n > MaxMetadataBytes {
			return nil, fmt.Errorf("numpy array of shape %v would expand to %d bytes of JSON, more than %d: %w", x.shape, n, MaxMetadataBytes, ErrBudget)
		}
		if err := c.count(n); err != nil {
			return nil, err
		}
		out = x.list()
	case *types.List:
		s, err := c.slice(*x, depth)
		if err != nil {
			return nil, err
		}
		out = s
	case *types.Tuple:
		s, err := c.slice(*x, depth)
		if err != nil {
			return nil, err
		}
		out = s
	case *types.Set:
		s, err := c.members(keysOf(*x), depth)
		if err != nil {
			return nil, err
		}
		out = s
	case *types.FrozenSet:
		s, err := c.members(keysOf(*x), depth)
		if err != nil {
			return nil, err
		}
		out = s
	case *types.Dict:
		m := make(map[string]any, len(*x))
		for _, e := range *x {
			if err := c.set(m, e.Key, e.Value, depth); err != nil {
				return nil, err
			}
		}
		out = m
	case *types.OrderedDict:
		m := make(map[string]any, x.Len())
		for el := x.List.Front(); el != nil; el = el.Next() {
			e, ok := el.Value.(*types.OrderedDictEntry)
			if !ok {
				return nil, fmt.Errorf("OrderedDict entry %T: %w", el.Value, ErrFormat)
			}
			if err := c.set(m, e.Key, e.Value, depth); err != nil {
				return nil, err
			}
		}
		out = m
	}
	c.seen[v] = out
	if c.size == nil {
		c.size = map[any]int64{}
	}
	c.size[v] = c.used - before
	return out, nil
}

// keysOf returns a set's members in no particular order.
func keysOf[V any](set map[any]V) []any {
	items := make([]any, 0, len(set))
	for k := range set {
		items = append(items, k)
	}
	return items
}

// members converts a set's members and returns them in a stable order
// (sets have none): by type, then by value, each member's sort key made
// once (formatting inside the comparison would format a member once per
// comparison, and a tuple member's whole content each time).
func (c *converter) members(items []any, depth int) ([]any, error) {
	out, err := c.slice(items, depth)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(items))
	for i, it := range items {
		switch it.(type) {
		case nil, bool, int, float64, string, *big.Int:
			keys[i] = fmt.Sprintf("%T%v", it, it)
		default:
			b, err := json.Marshal(out[i])
			if err != nil {
				return nil, fmt.Errorf("set member of type %s: %w", typeName(it), ErrFormat)
			}
			keys[i] = fmt.Sprintf("%T", it) + string(b)
		}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	sorted := make([]any, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted, nil
}

func (c *converter) slice(items []any, depth int) ([]any, error) {
	out := make([]any, len(items))
	for i, it := range items {
		v, err := c.value(it, depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (c *converter) set(m map[string]any, key, value any, depth int) error {
	var k string
	switch x := key.(type) {
	case string:
		k = text(x)
	case nil:
		k = "null"
	case bool:
		k = strconv.FormatBool(x)
	case int:
		k = strconv.Itoa(x)
	case *big.Int:
		k = x.String()
	case float64:
		k = strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return fmt.Errorf("dict key of type %s: %w", typeName(key), ErrFormat)
	}
	if err := c.count(int64(len(k)) + 3); err != nil { // "k":
		return err
	}
	v, err := c.value(value, depth+1)
	if err != nil {
		return err
	}
	m[k] = v
	return nil
}

// typeName describes a decoded value for error messages without quoting
// its content (metadata may be sensitive).
func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case *object:
		return x.class.module + "." + x.class.name
	case *types.Tuple:
		return fmt.Sprintf("a %d-tuple", x.Len())
	case *types.Dict, *types.OrderedDict:
		return "a dict"
	case *types.List:
		return "a list"
	case string:
		return "a str"
	case int, *big.Int:
		return "an int"
	case float64:
		return "a float"
	case bool:
		return "a bool"
	case *function:
		return x.qual
	case *enumClass:
		return x.qual
	case *enumValue:
		return "a member of " + x.class.qual
	case *dtype:
		return "numpy dtype " + strconv.Quote(x.spec)
	case *ndarray:
		return "a numpy array"
	case *timedelta:
		return "datetime.timedelta"
	case *tzinfo:
		return "datetime.timezone"
	case *uuidValue:
		return "uuid.UUID"
	}
	return fmt.Sprintf("%T", v)
}
