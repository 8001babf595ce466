//go:build !amd64

package ann

// The batch kernels stand in for the amd64 ones so callers compile
// everywhere; they are never selected because useSIMD is false here.

func dotBatchAVX2(q, base *float32, dim int, ids *uint32, n int, out *float32, ahead int) {
	panic("ann: dotBatchAVX2 without amd64")
}

func l2sqBatchAVX2(q, base *float32, dim int, ids *uint32, n int, out *float32, ahead int) {
	panic("ann: l2sqBatchAVX2 without amd64")
}

func dotU8BatchAVX2(q *float32, codes *uint8, dim int, ids *uint32, n int, out *float32, ahead int) {
	panic("ann: dotU8BatchAVX2 without amd64")
}
