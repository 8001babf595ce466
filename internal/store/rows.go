package store

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/vendor0919/api/internal/faiss"
	"github.com/vendor0919/api/internal/lcpickle"
)

// rowExamples caps the example ids a RowCheck lists per kind of mismatch.
const rowExamples = 5

// RowCheck compares the two files of a LangChain folder: the FAISS index's
// rows, the pickle's index_to_docstore_id mapping (FAISS id -> docstore
// id) and its docstore. A folder saved by one FAISS.save_local agrees on
// all three; one whose files were written at different times (an index
// saved after a crash, a pickle from another run) does not, and Open
// refuses it. Each field counts one kind of mismatch, with a few examples.
type RowCheck struct {
	// FAISSRows is the number of vectors in the FAISS file; Mapped the
	// number of index_to_docstore_id entries; Documents the number of
	// documents in the docstore.
	FAISSRows int `json:"faiss_rows"`
	Mapped    int `json:"mapped_rows"`
	Documents int `json:"documents"`
	// MissingFromFAISS counts the pickle's rows whose FAISS id the FAISS
	// file lacks; examples are "FAISS_ID -> DOCSTORE_ID".
	MissingFromFAISS Mismatch `json:"pickle_rows_missing_from_faiss"`
	// Unmapped counts FAISS rows with no index_to_docstore_id entry;
	// examples are FAISS ids.
	Unmapped Mismatch `json:"faiss_rows_without_mapping"`
	// MissingDocuments counts FAISS rows whose docstore id the docstore
	// lacks; examples are "FAISS_ID -> DOCSTORE_ID".
	MissingDocuments Mismatch `json:"faiss_rows_without_document"`
	// Orphans counts documents no FAISS row leads to; examples are their
	// docstore ids.
	Orphans Mismatch `json:"documents_without_row"`
	// Shared counts FAISS rows whose document an earlier row (in FAISS
	// id order) already leads to; examples are "FAISS_ID -> DOCSTORE_ID".
	// save_local gives every row a document of its own; a folder where
	// rows share one still opens, each row a chunk of its own, so a search
	// may return the same text twice.
	Shared Mismatch `json:"rows_sharing_a_document"`
}

// Mismatch is one kind of disagreement: how many, and the first few in
// FAISS id (or docstore id) order.
type Mismatch struct {
	Count    int      `json:"count"`
	Examples []string `json:"examples,omitempty"`
}

func (m *Mismatch) add(example string) {
	m.Count++
	if len(m.Examples) < rowExamples {
		m.Examples = append(m.Examples, example)
	}
}

// Refused reports whether Open refuses the folder: a FAISS row leads to
// no document, or the pickle maps rows the FAISS file lacks. Orphan
// documents alone are not refused; they are never served.
func (c *RowCheck) Refused() bool {
	return c.MissingFromFAISS.Count > 0 || c.Unmapped.Count > 0 || c.MissingDocuments.Count > 0
}

// OK reports whether the two files agree.
func (c *RowCheck) OK() bool {
	return c.MissingFromFAISS.Count == 0 && c.Unmapped.Count == 0 && c.MissingDocuments.Count == 0 && c.Orphans.Count == 0 &&
		c.Shared.Count == 0
}

// checkRows compares idx with ds.
func checkRows(idx *faiss.Index, ds *lcpickle.Docstore) *RowCheck {
	c := &RowCheck{FAISSRows: idx.Count, Mapped: len(ds.IndexToDocstoreID), Documents: len(ds.Documents)}
	inFAISS := make(map[int]bool, idx.Count)
	reached := make(map[string]bool, idx.Count)
	labels := make([]int, idx.Count)
	for row := range idx.Count {
		labels[row] = int(idx.Label(row))
	}
	slices.Sort(labels)
	for _, label := range labels {
		inFAISS[label] = true
		id, ok := ds.IndexToDocstoreID[label]
		switch {
		case !ok:
			c.Unmapped.add(strconv.Itoa(label))
		case !hasDoc(ds, id):
			c.MissingDocuments.add(fmt.Sprintf("%d -> %s", label, id))
		case reached[id]:
			c.Shared.add(fmt.Sprintf("%d -> %s", label, id))
		default:
			reached[id] = true
		}
	}
	for _, label := range sortedKeys(ds.IndexToDocstoreID) {
		if !inFAISS[label] {
			c.MissingFromFAISS.add(fmt.Sprintf("%d -> %s", label, ds.IndexToDocstoreID[label]))
		}
	}
	ids := make([]string, 0, len(ds.Documents))
	for id := range ds.Documents {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !reached[id] {
			c.Orphans.add(id)
		}
	}
	return c
}

func hasDoc(ds *lcpickle.Docstore, id string) bool {
	_, ok := ds.Documents[id]
	return ok
}

func sortedKeys(m map[int]string) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// writeText writes c as inspect's "rows:" lines: one line when the files
// agree, else one line per kind of mismatch with its examples.
func (c *RowCheck) writeText(w io.Writer) {
	fmt.Fprintf(w, "rows:       %d in the FAISS file, %d in index_to_docstore_id, %d documents", c.FAISSRows, c.Mapped, c.Documents)
	if c.OK() {
		fmt.Fprintln(w, " (consistent)")
		return
	}
	switch {
	case c.Refused():
		fmt.Fprintln(w, " (MISMATCH: the server refuses this folder)")
	case c.Orphans.Count > 0:
		fmt.Fprintln(w, " (MISMATCH: some documents are never served)")
	default:
		fmt.Fprintln(w, " (MISMATCH: some documents are served from several rows)")
	}
	for _, m := range []struct {
		what string
		m    Mismatch
	}{
		{"pickle rows the FAISS file lacks", c.MissingFromFAISS},
		{"FAISS rows without a mapping", c.Unmapped},
		{"FAISS rows whose document is missing", c.MissingDocuments},
		{"documents no row points at", c.Orphans},
		{"rows sharing a document", c.Shared},
	} {
		if m.m.Count == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-38s %d", m.what+":", m.m.Count)
		if len(m.m.Examples) > 0 {
			fmt.Fprintf(w, " (e.g. %s", m.m.Examples[0])
			for _, e := range m.m.Examples[1:] {
				fmt.Fprintf(w, ", %s", e)
			}
			if m.m.Count > len(m.m.Examples) {
				fmt.Fprint(w, ", …")
			}
			fmt.Fprint(w, ")")
		}
		fmt.Fprintln(w)
	}
}
