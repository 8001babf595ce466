package ann

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of a transparent huge page on amd64 and arm64.
const hugePage = 2 << 20

// adviseHuge asks the kernel to back the 2 MiB-aligned interior of b with
// transparent huge pages, now (MADV_COLLAPSE, Linux 6.1+) and for pages
// faulted in later (MADV_HUGEPAGE). A search touches rows and link lists
// at random: with 4 KiB pages nearly every row costs a TLB miss, with
// 2 MiB pages a 40 MB vector array needs 20 TLB entries. The kernel may
// refuse (older kernels, THP disabled, no free huge pages); that only
// leaves the memory as it was, so errors are ignored. Memory that is
// neither anonymous nor a read-only file mapping is left alone by the
// kernel as well.
func adviseHuge(b []byte) {
	if len(b) < 2*hugePage {
		return
	}
	start := uintptr(unsafe.Pointer(&b[0]))
	end := start + uintptr(len(b))
	alStart := (start + hugePage - 1) &^ (hugePage - 1)
	alEnd := end &^ (hugePage - 1)
	if alEnd <= alStart {
		return
	}
	region := b[alStart-start : alEnd-start]
	_ = unix.Madvise(region, unix.MADV_HUGEPAGE)
	_ = unix.Madvise(region, unix.MADV_COLLAPSE)
}

// adviseMemory asks for huge pages under the vectors and the level-0 links,
// the two arrays a search reads at random.
func (h *HNSW) adviseMemory() {
	h.AdviseHugePages()
	h.adviseLinks()
}

// AdviseHugePages asks for transparent huge pages under the vector rows,
// as BuildHNSW does for the rows it builds over. Call it only when the
// rows are the process's own memory (read or copied into the heap), never
// over a file mapping: there the kernel either refuses (Linux 6.18 on
// ext4 answers MADV_COLLAPSE with EINVAL) or reads the whole file in and
// copies it into huge page-cache pages, making resident the rows an SQ8
// index only reads to rescore. The copy takes a while on large stores:
// run it from a goroutine; searches are correct meanwhile.
func (h *HNSW) AdviseHugePages() {
	if len(h.vectors) > 0 {
		adviseHuge(unsafe.Slice((*byte)(unsafe.Pointer(&h.vectors[0])), 4*len(h.vectors))) //nolint:gosec // G103: the same memory, seen as bytes
	}
}

// adviseLinks asks for huge pages under the level-0 links, which the
// index always allocates itself.
func (h *HNSW) adviseLinks() {
	if len(h.level0) > 0 {
		adviseHuge(unsafe.Slice((*byte)(unsafe.Pointer(&h.level0[0])), 4*len(h.level0))) //nolint:gosec // G103: as above
	}
}
