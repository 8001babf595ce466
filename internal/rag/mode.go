package rag

import "fmt"

// Mode is a search mode: how Search ranks chunks (see the package
// documentation for the score each reports).
type Mode string

// Search modes.
const (
	ModeHybrid  Mode = "hybrid"
	ModeVector  Mode = "vector"
	ModeKeyword Mode = "keyword"
)

// Modes lists the valid modes, default first, in the order error messages
// and the API documentation name them.
var Modes = []Mode{ModeHybrid, ModeVector, ModeKeyword}

// ParseMode returns the Mode named s; an unknown name (the empty string
// included) is an error naming the valid ones.
func ParseMode(s string) (Mode, error) {
	m := Mode(s)
	if !m.Valid() {
		return "", fmt.Errorf("rag: unknown mode %q (want hybrid, vector or keyword)", s)
	}
	return m, nil
}

// Valid reports whether m is one of Modes.
func (m Mode) Valid() bool {
	return m == ModeHybrid || m == ModeVector || m == ModeKeyword
}
