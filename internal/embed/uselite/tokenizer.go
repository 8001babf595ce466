package uselite

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

const (
	// reservedPieces is the number of leading vocabulary entries (unknown,
	// <s>, </s>, three extra ids) that are never matched against text.
	reservedPieces = 6
	// unkID is the id of the unknown piece.
	unkID = 0
	// wordSep is SentencePiece's word-boundary mark, U+2581.
	wordSep = "\u2581"
)

// Tokenizer splits text into SentencePiece ids exactly as the tokenizer of
// @energetic-ai/embeddings 0.2.0 (and tfjs-models' universal-sentence-encoder)
// does: NFKC, a leading "▁" and every ASCII space turned into "▁", then a
// Viterbi search over a trie of the vocabulary's pieces scored by their
// log-probabilities; a code point no piece starts with becomes the unknown
// id 0, and runs of unknown ids collapse into one.
//
// The JS quirks are kept on purpose: a null score counts as 0, a position
// whose best score is exactly 0 is overwritten by any later candidate, ties
// go to the later (shorter) piece, and back-tracking steps by the UTF-16
// length of each chosen piece.
//
// A Tokenizer is immutable after construction and safe for concurrent use.
type Tokenizer struct {
	pieceLen16 []int     // UTF-16 length of each piece, by id
	edges      trieEdges // (node, rune) -> child node
	nodeID     []int32   // piece id ending at a node, or -1
	nodeScore  []float64 // score of that piece
}

// trieEdges maps a node index and a code point to a child node index.
type trieEdges map[uint64]int32

func edgeKey(node int32, r rune) uint64 { return uint64(uint32(node))<<32 | uint64(uint32(r)) }

// newTokenizer builds a Tokenizer from [piece, score] pairs in id order.
func newTokenizer(pieces []string, scores []float64) (*Tokenizer, error) {
	if len(pieces) != len(scores) || len(pieces) <= reservedPieces {
		return nil, fmt.Errorf("uselite: tokenizer: %d pieces, %d scores: %w", len(pieces), len(scores), ErrBadModel)
	}
	t := &Tokenizer{
		pieceLen16: make([]int, len(pieces)),
		edges:      make(trieEdges, 4*len(pieces)),
		nodeID:     []int32{-1},
		nodeScore:  []float64{0},
	}
	for id, p := range pieces {
		t.pieceLen16[id] = len(utf16.Encode([]rune(p)))
		if t.pieceLen16[id] == 0 {
			return nil, fmt.Errorf("uselite: tokenizer: piece %d is empty: %w", id, ErrBadModel)
		}
		if id < reservedPieces {
			continue
		}
		node := int32(0)
		for _, r := range p {
			k := edgeKey(node, r)
			child, ok := t.edges[k]
			if !ok {
				child = int32(len(t.nodeID))
				t.edges[k] = child
				t.nodeID = append(t.nodeID, -1)
				t.nodeScore = append(t.nodeScore, 0)
			}
			node = child
		}
		// A later duplicate piece overwrites an earlier one, as in the JS trie.
		t.nodeID[node] = int32(id)
		t.nodeScore[node] = scores[id]
	}
	return t, nil
}

// preprocess applies the JS tokenizer's input normalisation: NFKC, then, for
// a non-empty result, a leading "▁" and every U+0020 replaced by "▁".
// Invalid UTF-8 bytes are first replaced by U+FFFD, one per byte.
func preprocess(text string) []rune {
	s := string([]rune(text)) // invalid bytes -> U+FFFD
	s = norm.NFKC.String(s)
	if s == "" {
		return nil
	}
	return []rune(wordSep + strings.ReplaceAll(s, " ", wordSep))
}

// Encode returns the piece ids of text. An empty text (or one that
// normalises to empty) has no ids. The result is not truncated: the model
// reads only the first [MaxTokens] ids.
func (t *Tokenizer) Encode(text string) []int {
	sym := preprocess(text)
	n := len(sym)
	if n == 0 {
		return nil
	}
	// Viterbi by forward relaxation. The JS code first builds the whole
	// lattice and then visits, for each end position, its candidates in
	// increasing start order; relaxing each start position in increasing
	// order applies the same updates in the same order, and best[i] is final
	// when position i is reached (every piece ending at i starts before it).
	best := make([]float64, n+1)
	words := make([]int32, n+1)
	relax := func(start, end int, id int32, score float64) {
		sc := score + best[start]
		if best[end] == 0 || sc >= best[end] {
			best[end] = sc
			words[end] = id
		}
	}
	for i := 0; i < n; i++ {
		found := false
		node := int32(0)
		for j := i; j < n; j++ {
			child, ok := t.edges[edgeKey(node, sym[j])]
			if !ok {
				break
			}
			node = child
			if id := t.nodeID[node]; id >= 0 {
				relax(i, j+1, id, t.nodeScore[node])
				found = true
			}
		}
		if !found {
			// No piece starts here: one unknown symbol, score 0.
			relax(i, i+1, unkID, 0)
		}
	}
	// Back-track from the end, stepping by each piece's UTF-16 length, and
	// collapse runs of unknown ids.
	var rev []int
	prevUnk := false
	for i := n; i > 0; i -= t.pieceLen16[words[i]] {
		id := int(words[i])
		if !prevUnk || id != unkID {
			rev = append(rev, id)
		}
		prevUnk = id == unkID
	}
	for l, r := 0, len(rev)-1; l < r; l, r = l+1, r-1 {
		rev[l], rev[r] = rev[r], rev[l]
	}
	return rev
}
