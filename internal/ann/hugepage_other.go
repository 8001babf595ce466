//go:build !linux

package ann

// adviseHuge does nothing where transparent huge pages are not known.
func adviseHuge(b []byte) {}

func (h *HNSW) adviseMemory() {}

// AdviseHugePages does nothing where transparent huge pages are not known.
func (h *HNSW) AdviseHugePages() {}

func (h *HNSW) adviseLinks() {}
