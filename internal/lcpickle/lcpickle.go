package lcpickle

import (
	"bytes"
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

// ReadFile reads and decodes the index.pkl file at path.
func ReadFile(path string) (*Docstore, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lcpickle: read: %w", err)
	}
	return Decode(b)
}

// Decode decodes a pickled (InMemoryDocstore, {int: str}) tuple.
func Decode(b []byte) (ds *Docstore, err error) {
	if err := scan(b); err != nil {
		return nil, err
	}
	u := pickle.NewUnpickler(bytes.NewReader(b))
	u.FindClass = findClass
	v, err := load(&u)
	if err != nil {
		if errors.Is(err, ErrClass) || errors.Is(err, ErrFormat) {
			return nil, err
		}
		return nil, fmt.Errorf("lcpickle: decode: %w: %w", err, ErrFormat)
	}
	return convert(v)
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

// convert checks the decoded shape and builds the Docstore.
func convert(v any) (*Docstore, error) {
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
	c := converter{seen: map[any]any{}, active: map[any]bool{}, size: map[any]int64{},
		limit: int64(raw.Len()) * expandedPerDoc}
	ds := &Docstore{Documents: make(map[string]Document, raw.Len())}
	for _, e := range *raw {
		id, ok := e.Key.(string)
		if !ok {
			return nil, fmt.Errorf("lcpickle: docstore key %s is not a string: %w", typeName(e.Key), ErrFormat)
		}
		id = text(id)
		if _, dup := ds.Documents[id]; dup {
			return nil, fmt.Errorf("lcpickle: docstore id %q appears twice: %w", id, ErrFormat)
		}
		doc, err := c.document(id, e.Value)
		if err != nil {
			return nil, err
		}
		ds.Documents[id] = doc
	}
	mapping, ok := tup.Get(1).(*types.Dict)
	if !ok {
		return nil, fmt.Errorf("lcpickle: second item is %s, want the index_to_docstore_id dict: %w", typeName(tup.Get(1)), ErrFormat)
	}
	ds.IndexToDocstoreID = make(map[int]string, mapping.Len())
	for _, e := range *mapping {
		row, ok := e.Key.(int)
		if !ok || row < 0 {
			return nil, fmt.Errorf("lcpickle: index_to_docstore_id key %v (%s) is not a row number: %w", e.Key, typeName(e.Key), ErrFormat)
		}
		id, ok := e.Value.(string)
		if !ok {
			return nil, fmt.Errorf("lcpickle: index_to_docstore_id[%d] is %s, want str: %w", row, typeName(e.Value), ErrFormat)
		}
		id = text(id)
		if _, dup := ds.IndexToDocstoreID[row]; dup {
			return nil, fmt.Errorf("lcpickle: index_to_docstore_id row %d appears twice: %w", row, ErrFormat)
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
	// container's; limit bounds the total (0: minExpanded).
	used  int64
	size  map[any]int64
	limit int64
}

// The expansion budget: at least 1 GiB of encoded metadata for a whole
// docstore, or 8 KiB per document for larger ones; far above what real
// LangChain metadata (source, page, title...) needs.
const (
	minExpanded    = 1 << 30
	expandedPerDoc = 8 << 10
)

// count adds n to the expanded size and fails past the limit.
func (c *converter) count(n int64) error {
	c.used += n
	limit := max(c.limit, minExpanded)
	if c.used > limit {
		return fmt.Errorf("metadata would expand to more than %d bytes: %w", limit, ErrFormat)
	}
	return nil
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
		m, err := c.value(md, 0)
		if err != nil {
			return Document{}, fmt.Errorf("lcpickle: docstore[%q].metadata: %w", id, err)
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
	case *big.Int:
		return json.Number(x.String()), nil
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
		// like a string of its full width for str_ and bytes_.
		per := int64(8)
		if x.dt.kind == 'U' || x.dt.kind == 'S' {
			per = max(per, int64(x.dt.size)+2)
		}
		if err := c.count(per * int64(x.elements())); err != nil {
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
		s, err := c.slice(sortedKeys(*x), depth)
		if err != nil {
			return nil, err
		}
		out = s
	case *types.FrozenSet:
		s, err := c.slice(sortedKeys(*x), depth)
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

// sortedKeys returns a set's members in a stable order (sets have none).
func sortedKeys[V any](set map[any]V) []any {
	items := make([]any, 0, len(set))
	for k := range set {
		items = append(items, k)
	}
	sort.Slice(items, func(i, j int) bool {
		return fmt.Sprintf("%T%v", items[i], items[i]) < fmt.Sprintf("%T%v", items[j], items[j])
	})
	return items
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
