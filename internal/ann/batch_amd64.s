#include "textflag.h"

// Batch kernels for the layer-0 search: the distances from one query to a
// list of rows given by id, in one call. One call per expanded node
// instead of one per neighbour saves the call and slice overhead that
// dominates at low dimensions (100 floats take 13 multiply-adds), and the
// kernel prefetches the row `ahead` ids ahead itself.
//
// Register use, shared by both kernels:
//   SI  query            DI  row base pointer   R8  ids   R9  count left
//   R10 out              R11 dim                R12 row stride in bytes
//   AX  current row      CX  floats left        BX  query cursor
//   DX  prefetch cursor  R13 prefetch bytes left

// func dotBatchAVX2(q, base *float32, dim int, ids *uint32, n int, out *float32, ahead int)
// out[i] = dot(q, row ids[i]) for i < n; rows are dim floats at base.
TEXT ·dotBatchAVX2(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ base+8(FP), DI
	MOVQ dim+16(FP), R11
	MOVQ ids+24(FP), R8
	MOVQ n+32(FP), R9
	MOVQ out+40(FP), R10
	MOVQ R11, R12
	SHLQ $2, R12

	// Prefetch the first `ahead` rows.
	XORQ AX, AX

dpre:
	CMPQ AX, ahead+48(FP)
	JGE  drow
	CMPQ AX, R9
	JGE  drow
	MOVL (R8)(AX*4), DX
	IMULQ R12, DX
	ADDQ DI, DX
	MOVQ R12, R13

dpreline:
	PREFETCHT0 (DX)
	ADDQ $64, DX
	SUBQ $64, R13
	JGT  dpreline
	INCQ AX
	JMP  dpre

drow:
	TESTQ R9, R9
	JEQ   ddone

	// Prefetch the row `ahead` ids ahead.
	MOVQ ahead+48(FP), DX
	CMPQ R9, DX
	JLE  dcompute
	MOVL (R8)(DX*4), DX
	IMULQ R12, DX
	ADDQ DI, DX
	MOVQ R12, R13

dpfline:
	PREFETCHT0 (DX)
	ADDQ $64, DX
	SUBQ $64, R13
	JGT  dpfline

dcompute:
	MOVL (R8), AX
	IMULQ R12, AX
	ADDQ DI, AX
	MOVQ SI, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

dloop32:
	CMPQ        CX, $32
	JLT         dloop8
	VMOVUPS     (BX), Y4
	VMOVUPS     32(BX), Y5
	VMOVUPS     64(BX), Y6
	VMOVUPS     96(BX), Y7
	VFMADD231PS (AX), Y4, Y0
	VFMADD231PS 32(AX), Y5, Y1
	VFMADD231PS 64(AX), Y6, Y2
	VFMADD231PS 96(AX), Y7, Y3
	ADDQ        $128, BX
	ADDQ        $128, AX
	SUBQ        $32, CX
	JMP         dloop32

dloop8:
	CMPQ        CX, $8
	JLT         dreduce
	VMOVUPS     (BX), Y4
	VFMADD231PS (AX), Y4, Y0
	ADDQ        $32, BX
	ADDQ        $32, AX
	SUBQ        $8, CX
	JMP         dloop8

dreduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0

dtail:
	TESTQ       CX, CX
	JEQ         dstore
	VMOVSS      (BX), X1
	VFMADD231SS (AX), X1, X0
	ADDQ        $4, BX
	ADDQ        $4, AX
	DECQ        CX
	JMP         dtail

dstore:
	VMOVSS X0, (R10)
	ADDQ   $4, R10
	ADDQ   $4, R8
	DECQ   R9
	JMP    drow

ddone:
	VZEROUPPER
	RET

// func l2sqBatchAVX2(q, base *float32, dim int, ids *uint32, n int, out *float32, ahead int)
// out[i] = squared distance from q to row ids[i] for i < n.
TEXT ·l2sqBatchAVX2(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ base+8(FP), DI
	MOVQ dim+16(FP), R11
	MOVQ ids+24(FP), R8
	MOVQ n+32(FP), R9
	MOVQ out+40(FP), R10
	MOVQ R11, R12
	SHLQ $2, R12

	XORQ AX, AX

lpre:
	CMPQ AX, ahead+48(FP)
	JGE  lrow
	CMPQ AX, R9
	JGE  lrow
	MOVL (R8)(AX*4), DX
	IMULQ R12, DX
	ADDQ DI, DX
	MOVQ R12, R13

lpreline:
	PREFETCHT0 (DX)
	ADDQ $64, DX
	SUBQ $64, R13
	JGT  lpreline
	INCQ AX
	JMP  lpre

lrow:
	TESTQ R9, R9
	JEQ   ldone
	MOVQ ahead+48(FP), DX
	CMPQ R9, DX
	JLE  lcompute
	MOVL (R8)(DX*4), DX
	IMULQ R12, DX
	ADDQ DI, DX
	MOVQ R12, R13

lpfline:
	PREFETCHT0 (DX)
	ADDQ $64, DX
	SUBQ $64, R13
	JGT  lpfline

lcompute:
	MOVL (R8), AX
	IMULQ R12, AX
	ADDQ DI, AX
	MOVQ SI, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

lloop32:
	CMPQ        CX, $32
	JLT         lloop8
	VMOVUPS     (BX), Y4
	VMOVUPS     32(BX), Y5
	VMOVUPS     64(BX), Y6
	VMOVUPS     96(BX), Y7
	VSUBPS      (AX), Y4, Y4
	VSUBPS      32(AX), Y5, Y5
	VSUBPS      64(AX), Y6, Y6
	VSUBPS      96(AX), Y7, Y7
	VFMADD231PS Y4, Y4, Y0
	VFMADD231PS Y5, Y5, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	ADDQ        $128, BX
	ADDQ        $128, AX
	SUBQ        $32, CX
	JMP         lloop32

lloop8:
	CMPQ        CX, $8
	JLT         lreduce
	VMOVUPS     (BX), Y4
	VSUBPS      (AX), Y4, Y4
	VFMADD231PS Y4, Y4, Y0
	ADDQ        $32, BX
	ADDQ        $32, AX
	SUBQ        $8, CX
	JMP         lloop8

lreduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0

ltail:
	TESTQ       CX, CX
	JEQ         lstore
	VMOVSS      (BX), X1
	VSUBSS      (AX), X1, X1
	VFMADD231SS X1, X1, X0
	ADDQ        $4, BX
	ADDQ        $4, AX
	DECQ        CX
	JMP         ltail

lstore:
	VMOVSS X0, (R10)
	ADDQ   $4, R10
	ADDQ   $4, R8
	DECQ   R9
	JMP    lrow

ldone:
	VZEROUPPER
	RET

// func dotU8BatchAVX2(q *float32, codes *uint8, dim int, ids *uint32, n int, out *float32, ahead int)
// out[i] = sum over d of q[d]*codes[ids[i]*dim+d], the codes read as
// unsigned bytes: the SQ8 search's dot product with the scaled query.
TEXT ·dotU8BatchAVX2(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ codes+8(FP), DI
	MOVQ dim+16(FP), R11
	MOVQ ids+24(FP), R8
	MOVQ n+32(FP), R9
	MOVQ out+40(FP), R10
	MOVQ R11, R12

	XORQ AX, AX

upre:
	CMPQ AX, ahead+48(FP)
	JGE  urow
	CMPQ AX, R9
	JGE  urow
	MOVL (R8)(AX*4), DX
	IMULQ R12, DX
	ADDQ DI, DX
	MOVQ R12, R13

upreline:
	PREFETCHT0 (DX)
	ADDQ $64, DX
	SUBQ $64, R13
	JGT  upreline
	INCQ AX
	JMP  upre

urow:
	TESTQ R9, R9
	JEQ   udone
	MOVQ ahead+48(FP), DX
	CMPQ R9, DX
	JLE  ucompute
	MOVL (R8)(DX*4), DX
	IMULQ R12, DX
	ADDQ DI, DX
	MOVQ R12, R13

upfline:
	PREFETCHT0 (DX)
	ADDQ $64, DX
	SUBQ $64, R13
	JGT  upfline

ucompute:
	MOVL (R8), AX
	IMULQ R12, AX
	ADDQ DI, AX
	MOVQ SI, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

uloop32:
	CMPQ        CX, $32
	JLT         uloop8
	VPMOVZXBD   (AX), Y4
	VPMOVZXBD   8(AX), Y5
	VPMOVZXBD   16(AX), Y6
	VPMOVZXBD   24(AX), Y7
	VCVTDQ2PS   Y4, Y4
	VCVTDQ2PS   Y5, Y5
	VCVTDQ2PS   Y6, Y6
	VCVTDQ2PS   Y7, Y7
	VFMADD231PS (BX), Y4, Y0
	VFMADD231PS 32(BX), Y5, Y1
	VFMADD231PS 64(BX), Y6, Y2
	VFMADD231PS 96(BX), Y7, Y3
	ADDQ        $128, BX
	ADDQ        $32, AX
	SUBQ        $32, CX
	JMP         uloop32

uloop8:
	CMPQ        CX, $8
	JLT         ureduce
	VPMOVZXBD   (AX), Y4
	VCVTDQ2PS   Y4, Y4
	VFMADD231PS (BX), Y4, Y0
	ADDQ        $32, BX
	ADDQ        $8, AX
	SUBQ        $8, CX
	JMP         uloop8

ureduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0

utail:
	TESTQ       CX, CX
	JEQ         ustore
	MOVBLZX     (AX), DX
	VCVTSI2SSL  DX, X1, X1
	VFMADD231SS (BX), X1, X0
	ADDQ        $4, BX
	INCQ        AX
	DECQ        CX
	JMP         utail

ustore:
	VMOVSS X0, (R10)
	ADDQ   $4, R10
	ADDQ   $4, R8
	DECQ   R9
	JMP    urow

udone:
	VZEROUPPER
	RET
