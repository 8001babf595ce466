package ann

// dotBatchAVX2 stores in out[i] the dot product of q with the row ids[i]
// of base (rows of dim floats), for i < n, prefetching the row `ahead` ids
// ahead of the one it computes (batch_amd64.s; ahead >= 1). Needs AVX2 and FMA, dim > 0, and every id a row of base:
// the kernel checks no bounds.
//
//go:noescape
func dotBatchAVX2(q, base *float32, dim int, ids *uint32, n int, out *float32, ahead int)

// l2sqBatchAVX2 is dotBatchAVX2 for squared Euclidean distances.
//
//go:noescape
func l2sqBatchAVX2(q, base *float32, dim int, ids *uint32, n int, out *float32, ahead int)

// dotU8BatchAVX2 stores in out[i] the dot product of q with the row ids[i]
// of codes (rows of dim unsigned bytes), for i < n: the SQ8 search kernel.
// Same contract as dotBatchAVX2.
//
//go:noescape
func dotU8BatchAVX2(q *float32, codes *uint8, dim int, ids *uint32, n int, out *float32, ahead int)
