package store

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
)

// TestHeadingIndex_PersistedOrBuilt: a store whose chunks have heading
// paths gets HeadingFile, which Open maps and HeadingIndex decodes; a
// store without the file (written before it existed) builds the same
// index from the chunks' metadata; a store whose chunks have no heading
// path gets no file.
func TestHeadingIndex_PersistedOrBuilt(t *testing.T) {
	t.Parallel()
	emb := docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 4}
	chunks, vecs := testData(60, emb.Dims, 3)
	for i := range chunks {
		if i%3 != 0 { // some chunks have no heading path
			chunks[i].Metadata[docmodel.MetaHeadingPath] = fmt.Sprintf("Library > section %d > argparse action store_true %d", i%5, i)
		}
	}
	dir := filepath.Join(t.TempDir(), "s")
	if _, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{Embedding: emb, Exact: true}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Files[HeadingFile]; !ok {
		t.Fatalf("manifest lists no %s: %v", HeadingFile, m.Files)
	}
	search := func(dir string) ([]uint32, []float64, bool) {
		t.Helper()
		st, err := Open(context.Background(), dir, OpenOptions{Embedding: emb})
		if err != nil {
			t.Fatal(err)
		}
		ix, loaded := st.HeadingIndex(nil)
		if ix == nil || ix.Len() != len(chunks) {
			t.Fatalf("heading index %v for %d chunks", ix, len(chunks))
		}
		var ids []uint32
		var scores []float64
		for _, r := range ix.Search("section 2 store_true", 10, nil) {
			ids, scores = append(ids, r.ID), append(scores, r.Score)
		}
		return ids, scores, loaded
	}
	ids, scores, loaded := search(dir)
	if !loaded || len(ids) == 0 {
		t.Fatalf("persisted index: loaded %v, %d hits", loaded, len(ids))
	}

	// The same store as one written before HeadingFile existed.
	old := filepath.Join(t.TempDir(), "old")
	copyDir(t, dir, old)
	if err := os.Remove(filepath.Join(old, HeadingFile)); err != nil {
		t.Fatal(err)
	}
	om, err := ReadManifest(old)
	if err != nil {
		t.Fatal(err)
	}
	delete(om.Files, HeadingFile)
	writeManifest(t, old, om)
	oids, oscores, oloaded := search(old)
	if oloaded || len(oids) != len(ids) {
		t.Fatalf("built index: loaded %v, hits %v, want %v", oloaded, oids, ids)
	}
	for i := range ids {
		if oids[i] != ids[i] || math.Abs(oscores[i]-scores[i]) > 1e-9*math.Max(1, math.Abs(scores[i])) {
			t.Fatalf("hit %d: built %d (%g), persisted %d (%g)", i, oids[i], oscores[i], ids[i], scores[i])
		}
	}

	// No heading paths: no file.
	plain := filepath.Join(t.TempDir(), "plain")
	writeTestStore(t, plain, 20, WriteOptions{Embedding: emb, Exact: true})
	if pm, err := ReadManifest(plain); err != nil {
		t.Fatal(err)
	} else if _, ok := pm.Files[HeadingFile]; ok {
		t.Fatalf("%s written for chunks without heading paths", HeadingFile)
	}
}
