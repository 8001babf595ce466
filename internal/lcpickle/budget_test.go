package lcpickle

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// binstr is BINUNICODE s, for strings of any length.
func binstr(s string) string {
	return "X" + string(binary.LittleEndian.AppendUint32(nil, uint32(len(s)))) + s
}

// docstorePickle builds a protocol-4 LangChain docstore of n documents;
// prelude runs first (to memoize shared values: memo slots from 0), and
// content(i) and metadata(i) give each document's page_content and
// metadata opcodes.
func docstorePickle(n int, prelude string, content, metadata func(i int) string) []byte {
	var p strings.Builder
	p.WriteString(prelude)
	p.WriteString(str("langchain_community.docstore.in_memory") + str("InMemoryDocstore") + "\x93)\x81}" + str("_dict") + "}(")
	for i := range n {
		p.WriteString(str(fmt.Sprintf("id-%d", i)))
		p.WriteString(str("langchain_core.documents.base") + str("Document") + "\x93)\x81}" + str("__dict__") + "}(")
		p.WriteString(str("metadata") + metadata(i) + str("page_content") + content(i) + "usb")
	}
	p.WriteString("usb}(")
	for i := range n {
		p.WriteString("J" + string(binary.LittleEndian.AppendUint32(nil, uint32(i))) + str(fmt.Sprintf("id-%d", i)))
	}
	p.WriteString("u\x86")
	// The prelude's values are left on the stack under the tuple: pop the
	// tuple into the memo, clear the stack, and fetch it back.
	return pk(p.String(), "\x94(1", binGet(memoCount(prelude)))
}

// memoCount counts the MEMOIZE opcodes a prelude holds (it uses no other).
func memoCount(prelude string) int { return strings.Count(prelude, "\x94") }

func binGet(i int) string {
	return "j" + string(binary.LittleEndian.AppendUint32(nil, uint32(i)))
}

func noMetadata(int) string { return "}" }

// allocated runs f and returns the bytes it allocated. Tests that use it
// are not parallel: the counter is process-wide, and parallel tests only
// start once the sequential ones have finished.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecode_BigIntsRefused: a 1 MB LONG4 took 42 s of CPU to decode
// (gopickle shifts the big.Int once per byte). Integers beyond
// maxIntBytes are refused by the scan, before any decoding.
func TestDecode_BigIntsRefused(t *testing.T) {
	huge := "\x8b" + string(binary.LittleEndian.AppendUint32(nil, 1<<20)) + strings.Repeat("\x7f", 1<<20)
	b := docstorePickle(1, huge+"\x94", func(int) string { return str("text") },
		func(int) string { return "}" + str("n") + binGet(0) + "s" })
	var err error
	n := allocated(func() { _, err = Decode(b) })
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "LONG4 integer of 1048576 bytes") {
		t.Fatalf("err %v, want the LONG4 refused", err)
	}
	if n > 4<<20 {
		t.Fatalf("refusing a %d-byte pickle allocated %d bytes", len(b), n)
	}
	tests := []struct {
		name, frag string
		want       string
	}{
		{"LONG1 of 65 bytes", "\x8a\x41" + strings.Repeat("\x01", 65), "LONG1 integer of 65 bytes"},
		{"protocol 0 LONG of 161 digits", "L" + strings.Repeat("9", 161) + "L\n", "LONG integer of 162 digits"},
		{"protocol 0 INT of 161 digits", "I" + strings.Repeat("9", 161) + "\n", "INT integer of 161 digits"},
	}
	for _, tt := range tests {
		if _, err := Decode(pk(tt.frag)); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.want)
		}
	}
	// The largest int accepted still decodes, as a number string.
	maxInt := "\x8a\x40" + strings.Repeat("\x01", 63) + "\x00"
	ds, err := Decode(docstorePickle(1, "", func(int) string { return str("t") },
		func(int) string { return "}" + str("n") + maxInt + "s" }))
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(ds.Documents["id-0"].Metadata["n"]); len(s) < 150 {
		t.Fatalf("64-byte int became %q", s)
	}
}

// TestDecode_MemoReferencesCounted: one value referenced many times
// through the memo costs its size at every reference (a 100 KB int
// referenced 200 times took 5 s and 260 MB). Here a 100 KB string is
// referenced 200 times from one document's metadata list: 20 MB of JSON.
func TestDecode_MemoReferencesCounted(t *testing.T) {
	big := binstr(strings.Repeat("x", 100<<10)) + "\x94"
	refs := func(int) string {
		return "}" + str("tags") + "](" + strings.Repeat(binGet(0), 200) + "es"
	}
	b := docstorePickle(1, big, func(int) string { return str("t") }, refs)
	var err error
	n := allocated(func() { _, err = DecodeContext(context.Background(), b, Options{MaxBytes: 8 << 20}) })
	if !errors.Is(err, ErrBudget) || !errors.Is(err, ErrFormat) {
		t.Fatalf("err %v, want ErrBudget", err)
	}
	if n > 16<<20 {
		t.Fatalf("refusing allocated %d bytes, want well under the 20 MB the references stand for", n)
	}
	// Within a larger budget the document is still over the per-document
	// metadata bound.
	if _, err := DecodeContext(context.Background(), b, Options{MaxBytes: 64 << 20}); !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "metadata") {
		t.Fatalf("err %v, want the metadata bound", err)
	}
	// Ten references fit both, and the string is shared, not copied.
	few := func(int) string { return "}" + str("tags") + "](" + strings.Repeat(binGet(0), 10) + "es" }
	b = docstorePickle(1, big, func(int) string { return str("t") }, few)
	var ds *Docstore
	n = allocated(func() { ds, err = DecodeContext(context.Background(), b, Options{MaxBytes: 64 << 20}) })
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ds.Documents["id-0"].Metadata["tags"].([]any)); got != 10 {
		t.Fatalf("%d tags", got)
	}
	if n > 8<<20 {
		t.Fatalf("decoding allocated %d bytes for a %d-byte pickle", n, len(b))
	}
}

// TestDecode_TextCountsPerDocument: the same page_content shared by many
// documents (a 1 KB-ish pickle standing for gigabytes of chunk text and
// keyword index) costs TextCost per byte per document.
func TestDecode_TextCountsPerDocument(t *testing.T) {
	t.Parallel()
	big := binstr(strings.Repeat("y", 64<<10)) + "\x94"
	shared := func(int) string { return binGet(0) }
	b := docstorePickle(100, big, shared, noMetadata) // 6.4 MB of text
	if _, err := DecodeContext(context.Background(), b, Options{MaxBytes: 32 << 20, TextCost: 8}); !errors.Is(err, ErrBudget) {
		t.Fatalf("err %v, want ErrBudget (51 MB of text cost)", err)
	}
	ds, err := DecodeContext(context.Background(), b, Options{MaxBytes: 64 << 20, TextCost: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Documents) != 100 || len(ds.Documents["id-99"].PageContent) != 64<<10 {
		t.Fatalf("%d documents", len(ds.Documents))
	}
}

// TestDecode_QuadraticWalksCounted: operations that walk a value (hash a
// set member, iterate BUILD's state or a set() argument) are charged at
// every reference, so reusing one large value costs its size each time.
func TestDecode_QuadraticWalksCounted(t *testing.T) {
	t.Parallel()
	const mb = 1 << 20
	bigStr := binstr(strings.Repeat("z", mb)) + "\x94"
	bigList := "](" + strings.Repeat("K\x01", 50000) + "e\x94"
	tests := []struct {
		name string
		data []byte
	}{
		// FROZENSET hashes each member: 1,000 references, 1 GB hashed.
		{"set of one string", pk(bigStr, "(", strings.Repeat(binGet(0), 1000), "\x91")},
		// set(list) through REDUCE, 1,000 times: 50 M items hashed.
		{"set() of one list", pk(bigList, str("builtins")+str("set")+"\x93\x94",
			strings.Repeat(binGet(1)+binGet(0)+"\x85R0", 1000), "N")},
		// BUILD with the same state dict, 1,000 times.
		{"BUILD with one state", pk("}(", strings.Repeat("K\x01K\x01", 50000), "u\x94",
			strings.Repeat(str("collections")+str("OrderedDict")+"\x93)R"+binGet(0)+"b0", 1000), "N")},
		// A long class name looked up again and again.
		{"long class name", pk(str("a")+binstr(strings.Repeat("A", 1000))+"\x93", "N")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := DecodeContext(context.Background(), tt.data, Options{MaxBytes: 64 << 20})
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("err %v, want ErrFormat (budget)", err)
			}
		})
	}
}

// TestDecodeContext_Cancel: a cancelled load stops at the next check,
// counted through the hook, not timed.
func TestDecodeContext_Cancel(t *testing.T) {
	t.Parallel()
	b := docstorePickle(3000, "", func(i int) string { return str(fmt.Sprint("text ", i)) }, noMetadata)
	if _, err := DecodeContext(context.Background(), b, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{1, 2, 5, 20} {
		ctx, cancel := context.WithCancel(context.Background())
		checks := 0
		opts := Options{onCheck: func() {
			checks++
			if checks == at {
				cancel()
			}
		}}
		_, err := DecodeContext(ctx, b, opts)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled at check %d: err %v", at, err)
		}
		if checks != at {
			t.Fatalf("cancelled at check %d, stopped at check %d", at, checks)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DecodeContext(ctx, b, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("pre-cancelled: err %v", err)
	}
}

// TestFuzzSeeds_Attacks keeps the attack pickles in FuzzPickle's corpus.
func TestFuzzSeeds_Attacks(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzPickle", "*"))
	if err != nil || len(files) < 4 {
		t.Fatalf("%d attack seeds: %v", len(files), err)
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDecode_SmallFileHugeMetadata: row 5's 1.3 KB index.pkl loaded at
// 29 MB, and a search then encoded its metadata into 2 GB of JSON: a
// chain of lists each holding the previous one twice. Refused at load.
func TestDecode_SmallFileHugeMetadata(t *testing.T) {
	chain := "]\x94"
	for i := 1; i < 27; i++ {
		prev := binGet(i - 1)
		chain += "]\x94(" + prev + prev + "e"
	}
	b := docstorePickle(1, chain, func(int) string { return str("t") },
		func(int) string { return "}" + str("tags") + binGet(26) + "s" })
	if len(b) > 1500 {
		t.Fatalf("%d bytes; the attack was 1.3 KB", len(b))
	}
	var err error
	n := allocated(func() { _, err = DecodeContext(context.Background(), b, Options{}) })
	if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "metadata") {
		t.Fatalf("err %v, want the metadata bound", err)
	}
	if n > 64<<20 {
		t.Fatalf("refusing allocated %d bytes", n)
	}
}
