//go:build !amd64

package ann

// hasAVX2FMA is false where no assembly kernel is wired up.
const hasAVX2FMA = false

// l2sqAVX2 stands in for the amd64 kernel so callers and tests compile
// everywhere; it is never selected because useSIMD is false here.
func l2sqAVX2(a, b []float32) float32 { return l2sqGo(a, b) }
