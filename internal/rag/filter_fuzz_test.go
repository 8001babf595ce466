package rag

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vendor0919/api/internal/store"
)

// FuzzCompileFilter feeds arbitrary JSON objects to the filter compiler:
// it never panics, and a filter it accepts matches metadata that holds its
// own equality values (a number matches itself, however it is written).
func FuzzCompileFilter(f *testing.F) {
	for _, seed := range []string{
		`{"lang":"en"}`, `{"page":3}`, `{"id":9007199254740993}`, `{"id":1000000000000000000000000000000000000007}`,
		`{"a":{"$in":[1,"1",true,null,2.5]}}`, `{"a":{"$nin":[]},"b":{"$ne":null}}`, `{"a":{"$eq":1e308}}`,
		`{"a":{"$in":[{"$in":[1]}]}}`, `{"$or":[]}`, `{"a":{}}`, `{"a":-0}`, `{"a":1e-400}`, `{"a":0.1}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
		dec.UseNumber()
		var raw map[string]any
		if dec.Decode(&raw) != nil {
			return
		}
		for _, norm := range []bool{false, true} {
			filter := raw
			if norm {
				filter = store.NormalizeNumbers(raw).(map[string]any)
			}
			m, err := ParseFilter(filter)
			if err != nil || m == nil {
				continue
			}
			md := map[string]any{}
			plain := true
			for k, v := range filter {
				if _, isOp := v.(map[string]any); isOp {
					plain = false
					break
				}
				md[k] = v
			}
			if plain && !m.Match(md) {
				t.Fatalf("filter %s does not match its own values %v", doc, md)
			}
		}
	})
}
