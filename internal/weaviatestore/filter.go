package weaviatestore

import (
	"encoding/json"
	"strings"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"

	"github.com/vendor0919/api/internal/rag"
)

// where translates a parsed request filter (rag.ParseFilter checked it
// and its limits before anything was embedded) into a Weaviate where filter
// for a collection whose metadata fields are fields. none reports that no
// chunk can pass (the search need not be sent); w is nil when every chunk
// passes. A filter on a field kept only in metadata_json is a
// *rag.RequestError.
//
// The translation keeps the embedded store's semantics: a value of
// another type than the field's never equals it (and is dropped), a
// field no chunk has fails $eq and $in and passes $ne and $nin, and $ne
// and $nin pass chunks without the field (Weaviate's Not is the
// complement over all objects). One difference remains: Weaviate cannot
// tell a null value from a missing field, so {"f": null} also matches
// chunks without f.
func where(f *rag.Filter, fields map[string]Field) (w *filters.WhereBuilder, none bool, err error) {
	if f == nil {
		return nil, false, nil
	}
	var ands []*filters.WhereBuilder
	for _, c := range f.Conditions {
		fd, known := fields[c.Field]
		if known && fd.Type == "" {
			return nil, false, &rag.RequestError{Field: "filter." + c.Field, Loc: []any{"filter", c.Field},
				Msg: "this field cannot be filtered on the Weaviate backend: " + fd.reason()}
		}
		negate := c.Op == rag.OpNe || c.Op == rag.OpNin
		if !known {
			if negate {
				continue // nothing has the field: nothing equals
			}
			return nil, true, nil
		}
		var ors []*filters.WhereBuilder
		for _, v := range c.Values {
			if v == nil {
				ors = append(ors, filters.Where().WithPath([]string{fd.Prop}).WithOperator(filters.IsNull).WithValueBoolean(true))
				continue
			}
			if eq := equalTo(fd, v); eq != nil {
				ors = append(ors, eq)
			}
		}
		if len(ors) == 0 {
			if negate {
				continue
			}
			return nil, true, nil
		}
		in := ors[0]
		if len(ors) > 1 {
			in = filters.Where().WithOperator(filters.Or).WithOperands(ors)
		}
		if negate {
			in = filters.Where().WithOperator(filters.Not).WithOperands([]*filters.WhereBuilder{in})
		}
		ands = append(ands, in)
	}
	switch len(ands) {
	case 0:
		return nil, false, nil
	case 1:
		return ands[0], false, nil
	}
	return filters.Where().WithOperator(filters.And).WithOperands(ands), false, nil
}

// equalTo is an Equal test of fd's property against v, or nil when v's
// type can never equal the field's values.
func equalTo(fd Field, v any) *filters.WhereBuilder {
	b := filters.Where().WithPath([]string{fd.Prop}).WithOperator(filters.Equal)
	switch fd.Type {
	case TypeText:
		s, ok := v.(string)
		switch {
		case !ok:
		case fd.Wrap:
			return b.WithValueText(wrapped(s))
		case strings.TrimSpace(s) == s:
			// A collection pushed before Wrap: a padded value is not sent,
			// as Weaviate would trim it to one a stored value may equal
			// where the embedded store finds no chunk.
			return b.WithValueText(s)
		}
	case TypeBoolean:
		if x, ok := v.(bool); ok {
			return b.WithValueBoolean(x)
		}
	case TypeNumber:
		// Weaviate holds numbers as float64, and push gives no property
		// to a field with a value no float64 holds exactly: a filter
		// value no float64 equals (a 40-digit id) matches nothing, as
		// under rag's Match. (A collection pushed before that check may
		// hold such values rounded.)
		if x, ok := rag.ExactFloat(v); ok {
			return b.WithValueNumber(x)
		}
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// idsWhere restricts a search to the chunks with the given ids.
func idsWhere(ids []string) *filters.WhereBuilder {
	return filters.Where().WithPath([]string{PropChunkID}).WithOperator(filters.ContainsAny).WithValueText(ids...)
}

// and joins a and b (either may be nil).
func and(a, b *filters.WhereBuilder) *filters.WhereBuilder {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{a, b})
}
