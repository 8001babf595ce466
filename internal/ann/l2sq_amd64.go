package ann

import "golang.org/x/sys/cpu"

// hasAVX2FMA reports whether l2sqAVX2 may run on this CPU.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// l2sqAVX2 returns the squared Euclidean distance between a and b with
// AVX2 and FMA (l2sq_amd64.s); len(b) >= len(a). vek has no squared
// distance, and taking its Euclidean distance and squaring it rounds twice.
//
//go:noescape
func l2sqAVX2(a, b []float32) float32
