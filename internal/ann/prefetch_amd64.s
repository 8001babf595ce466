#include "textflag.h"

// func prefetch(p unsafe.Pointer, n int)
// Hints the CPU to load the n bytes at p (n > 0) into all cache levels,
// one 64-byte line at a time. A hint never faults.
TEXT ·prefetch(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ n+8(FP), CX

loop:
	PREFETCHT0 (AX)
	ADDQ       $64, AX
	SUBQ       $64, CX
	JGT        loop
	RET
