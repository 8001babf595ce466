package weaviatestore

import (
	"cmp"
	"crypto/sha1" //nolint:gosec // G505: UUID v5 is defined over SHA-1; no security rests on it
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/rag"
)

// MetaFormat names the layout Push writes and Open reads; a collection
// whose description carries another is refused.
const MetaFormat = "vendor0919-weaviate/1"

// Property names of every object; metadata fields get their own (Field).
const (
	PropChunkID  = "chunk_id"      // chunk id, field tokenization: exact filters
	PropText     = "text"          // chunk text, not indexed
	PropKeywords = "kw"            // the keyword analyzer's tokens, whitespace tokenization: BM25
	PropMetadata = "metadata_json" // the chunk's metadata as JSON, not indexed
)

// Property types a metadata field may have.
const (
	TypeText    = "text"
	TypeNumber  = "number"
	TypeBoolean = "boolean"
)

// Bounds on what one collection describes.
const (
	// MaxFields bounds the metadata fields that get a filterable property;
	// fields beyond it (rarest first) are kept in metadata_json only.
	MaxFields = 200
	// maxFieldKey bounds a metadata key's length for its own property.
	maxFieldKey = 100
)

// Field is a metadata key's property. Type "" means the field is kept
// only in metadata_json: a filter on it is refused, saying Why (empty in
// collections pushed before Why was recorded: whyUnrecorded).
type Field struct {
	Prop string `json:"prop,omitempty"`
	Type string `json:"type,omitempty"`
	Why  string `json:"why,omitempty"`
	// Wrap: text values are stored, and filter values sent, between
	// wrapMarks. Field tokenization trims white space from both, which
	// would make " a" equal "a"; it cannot trim inside the marks.
	// Collections pushed before Wrap hold the values as they are.
	Wrap bool `json:"wrap,omitempty"`
}

// reason is why f has no property, for a refused filter and push's list.
func (f Field) reason() string { return cmp.Or(f.Why, whyUnrecorded) }

// wrapMark encloses a wrapped text value (Field.Wrap).
const wrapMark = "|"

// wrapped is s as a Wrap field stores and compares it.
func wrapped(s string) string { return wrapMark + s + wrapMark }

// Why a metadata field gets no property. Each would otherwise make a
// filter on Weaviate answer other than the embedded store, or fail the push.
const (
	whyMixed    = "it holds lists, objects or mixed types"
	whyLongKey  = "its key is longer than 100 bytes"
	whyEmptyKey = "its key is empty"
	whyRare     = "it is not among the 200 most frequent keys"
	whyCase     = "another key differs from it only in case, and Weaviate's property names ignore case"
	whyInexact  = "a value is a number no float64 holds exactly, and Weaviate stores numbers as float64"
	// whyUnrecorded: a collection pushed before Why was recorded.
	whyUnrecorded = "the collection was pushed without a property for it (lists, objects or mixed types, a key that is empty, over 100 bytes or not among the 200 most frequent)"
)

// Meta is what Push records in a collection's description and Open
// checks against the embedder.
type Meta struct {
	Format    string                  `json:"format"`
	Embedding docmodel.EmbeddingModel `json:"embedding"`
	Metric    string                  `json:"metric"` // ann.Metric name
	Count     int                     `json:"count"`
	Version   string                  `json:"version"`  // the store's version
	Checksum  string                  `json:"checksum"` // of what was pushed; names the collection
	Analyzer  string                  `json:"analyzer"` // keyword analyzer version of PropKeywords
	Index     string                  `json:"index"`    // "hnsw" or "flat"
	PushedAt  string                  `json:"pushed_at"`
	Fields    map[string]Field        `json:"fields,omitempty"`
}

// ErrIncompatible is returned by Open and Check for a collection the
// service cannot query: other dimensions, model, distance or analyzer, or
// one that Push did not write.
var ErrIncompatible = errors.New("weaviatestore: collection does not match the service")

func parseMeta(class, desc string) (Meta, error) {
	var m Meta
	if err := json.Unmarshal([]byte(desc), &m); err != nil || m.Format != MetaFormat {
		return Meta{}, fmt.Errorf("%w: collection %s was not written by vectorstore push (no %s description)", ErrIncompatible, class, MetaFormat)
	}
	return m, nil
}

// distanceOf maps an ann metric to Weaviate's distance of the same
// ordering and value, so scores agree with the embedded store:
// cosine = 1-cos, dot = -dot, l2-squared = squared Euclidean.
func distanceOf(m ann.Metric) (string, error) {
	switch m {
	case ann.Cosine:
		return "cosine", nil
	case ann.InnerProduct:
		return "dot", nil
	case ann.L2:
		return "l2-squared", nil
	}
	return "", fmt.Errorf("weaviatestore: no Weaviate distance for metric %v", m)
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// propName is metadata key's property: "md_" + key when the key is plain
// ASCII, else "mx_" + its hex (Weaviate property names are
// [_A-Za-z][_0-9A-Za-z]*). "" when the key is too long.
func propName(key string) string {
	switch {
	case key == "" || len(key) > maxFieldKey:
		return ""
	case plainKey.MatchString(key):
		return "md_" + key
	}
	return "mx_" + hex.EncodeToString([]byte(key))
}

// fieldsOf chooses each metadata key's property from its values across
// chunks: text, number or boolean when every non-null value has that
// type, else not filterable. Null-only keys become text properties (their
// only possible filter is on null). At most MaxFields keys, the most
// frequent first, get a property. It reads the n chunks' metadata
// through md, one at a time.
func fieldsOf(n int, md func(i int) map[string]any) map[string]Field {
	type seen struct {
		kinds   map[string]bool
		n       int
		inexact bool
	}
	by := map[string]*seen{}
	for i := range n {
		for k, v := range md(i) {
			s := by[k]
			if s == nil {
				s = &seen{kinds: map[string]bool{}}
				by[k] = s
			}
			s.n++
			kind := kindOf(v)
			s.kinds[kind] = true
			if kind == TypeNumber {
				_, exact := rag.ExactFloat(v)
				s.inexact = s.inexact || !exact
			}
		}
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if by[keys[i]].n != by[keys[j]].n {
			return by[keys[i]].n > by[keys[j]].n
		}
		return keys[i] < keys[j]
	})
	out := make(map[string]Field, len(keys))
	byFolded := map[string][]string{} // lower-cased property -> keys
	for i, k := range keys {
		prop := propName(k)
		s := by[k]
		delete(s.kinds, "null")
		why := ""
		switch {
		case len(s.kinds) > 1 || s.kinds["other"]:
			why = whyMixed
		case prop == "" && k != "":
			why = whyLongKey
		case prop == "":
			why = whyEmptyKey
		case i >= MaxFields:
			why = whyRare
		case s.inexact:
			why = whyInexact
		}
		if why != "" {
			out[k] = Field{Why: why}
			continue
		}
		typ := TypeText
		for kind := range s.kinds {
			typ = kind
		}
		out[k] = Field{Prop: prop, Type: typ, Wrap: typ == TypeText}
		folded := strings.ToLower(prop)
		byFolded[folded] = append(byFolded[folded], k)
	}
	for _, ks := range byFolded {
		if len(ks) > 1 {
			for _, k := range ks {
				out[k] = Field{Why: whyCase}
			}
		}
	}
	return out
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return TypeText
	case bool:
		return TypeBoolean
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return TypeNumber
	}
	return "other"
}

// objectID is the chunk's object UUID: a UUID v5 of its id in a fixed
// namespace, so a re-run of Push writes the same objects.
func objectID(chunkID string) string {
	ns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8} // RFC 4122 URL namespace
	h := sha1.New()                                                                                                //nolint:gosec // G401: see the import
	h.Write(ns[:])
	h.Write([]byte("vendor0919:chunk:" + chunkID))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}
