package lcpickle

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nlpodyssey/gopickle/pickle"
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
	return docstorePickleMemo(n, prelude, memoCount(prelude), content, metadata)
}

// docstorePickleMemo is docstorePickle for a prelude that leaves memo
// entries memo entries (PUT opcodes, or 0x94 bytes that are not MEMOIZE).
func docstorePickleMemo(n int, prelude string, memo int, content, metadata func(i int) string) []byte {
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
	return pk(p.String(), "\x94(1", binGet(memo))
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

// TestDecode_TextCountsPerRow: every row that names a document becomes a
// chunk of its own, so one document named by many rows costs its text at
// each. 20,000 rows naming one 40 KB text (a 780 KB folder) took 5 GB to
// load and wrote 1.6 GB beside it.
func TestDecode_TextCountsPerRow(t *testing.T) {
	t.Parallel()
	const rows = 2000
	var p strings.Builder
	p.WriteString(str("langchain_community.docstore.in_memory") + str("InMemoryDocstore") + "\x93)\x81}" + str("_dict") + "}(")
	p.WriteString(str("a") + str("langchain_core.documents.base") + str("Document") + "\x93)\x81}" + str("__dict__") + "}(")
	p.WriteString(str("metadata") + "}" + str("page_content") + binstr(strings.Repeat("w", 4<<10)) + "usb")
	p.WriteString("usb}(")
	for i := range rows {
		p.WriteString("J" + string(binary.LittleEndian.AppendUint32(nil, uint32(i))) + str("a"))
	}
	b := pk(p.String(), "u\x86")
	// 2,000 rows x 4 KB x TextCost 4: 32 MB.
	if _, err := DecodeContext(context.Background(), b, Options{MaxBytes: 16 << 20, TextCost: 4}); !errors.Is(err, ErrBudget) {
		t.Fatalf("err %v, want ErrBudget (32 MB of rows' text)", err)
	}
	ds, err := DecodeContext(context.Background(), b, Options{MaxBytes: 64 << 20, TextCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Documents) != 1 || len(ds.IndexToDocstoreID) != rows {
		t.Fatalf("%d documents, %d rows", len(ds.Documents), len(ds.IndexToDocstoreID))
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

// putFlood is n memo entries under distinct keys: LONG_BINPUT, or PUT
// lines for text, each storing the None that starts it.
func putFlood(n int, text bool) string {
	var p strings.Builder
	p.WriteString("N")
	for i := range n {
		if text {
			fmt.Fprintf(&p, "p%d\n", i)
		} else {
			p.WriteString("r" + string(binary.LittleEndian.AppendUint32(nil, uint32(i))))
		}
	}
	return p.String()
}

// setsOfOneList is a list of n set(l), l a list of 10,000 distinct ints:
// memo slots 0 (set) and 1 (l), about 50 KB standing for n x 560 KB of
// Go maps.
func setsOfOneList(n int) string {
	var p strings.Builder
	p.WriteString(str("builtins") + str("set") + "\x93\x94](")
	for i := range 10000 {
		p.WriteString("J" + string(binary.LittleEndian.AppendUint32(nil, uint32(1000+i))))
	}
	p.WriteString("e\x94](" + strings.Repeat(binGet(0)+binGet(1)+"\x85R", n) + "e")
	return p.String()
}

// TestDecode_MemoryFloodsRefused: a reload of a 60 MB index.pkl of
// 60,000,000 MEMOIZE opcodes peaked at 3.9 GB RSS under a 256 MiB budget,
// and a 10 MB one of nested lists at 755 MB: memo entries were not
// charged and a value's slot was charged 16 bytes where its container
// costs 100 to 300. Each file here loads in full without the memory
// charges; with them the scan refuses it with the budget's error before
// the decoder runs (the error names the opcode and offset), and a memo
// of more entries than the file has byte pairs is refused whatever the
// budget. Overwriting one memo key is not a new entry.
func TestDecode_MemoryFloodsRefused(t *testing.T) {
	t.Parallel()
	text := func(int) string { return str("t") }
	const small = 16 << 20
	tests := []struct {
		name      string
		data      []byte
		budget    int64
		op        string // the opcode refused; "" loads
		budgetErr bool
	}{
		{"MEMOIZE flood", docstorePickle(1, "N"+strings.Repeat("\x94", 2_000_000), text, noMetadata), small, "MEMOIZE", true},
		{"LONG_BINPUT flood, distinct keys", docstorePickleMemo(1, putFlood(1_000_000, false), 1_000_000, text, noMetadata), small, "LONG_BINPUT", true},
		{"PUT flood, distinct keys", docstorePickleMemo(1, putFlood(1_000_000, true), 1_000_000, text, noMetadata), small, "PUT", true},
		{"deep EMPTY_LIST nesting", docstorePickle(1, strings.Repeat("]", 500_000)+strings.Repeat("a", 499_999)+"\x94", text, noMetadata), small, "EMPTY_LIST", true},
		{"deep LIST nesting", docstorePickle(1, strings.Repeat("(l", 200_000)+strings.Repeat("a", 199_999)+"\x94", text, noMetadata), small, "LIST", true},
		{"sets built from one list, kept", docstorePickleMemo(1, setsOfOneList(500), 2, text, noMetadata), 64 << 20, "REDUCE", true},
		{"MEMOIZE flood past the memo cap", docstorePickle(1, "N"+strings.Repeat("\x94", 1_000_000), text, noMetadata), 1 << 40, "MEMOIZE", false},
		{"BINPUT to one key, overwritten", docstorePickleMemo(1, "N"+strings.Repeat("q\x00", 1_000_000), 1, text, noMetadata), small, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := DecodeContext(context.Background(), tt.data, Options{MaxBytes: tt.budget})
			if tt.op == "" {
				if err != nil {
					t.Fatalf("err %v, want it loaded", err)
				}
				return
			}
			if !errors.Is(err, ErrFormat) || errors.Is(err, ErrBudget) != tt.budgetErr {
				t.Fatalf("err %v, want ErrFormat (ErrBudget: %v)", err, tt.budgetErr)
			}
			want := ": " + tt.op + ": more than " // the memo cap
			if tt.budgetErr {
				want = fmt.Sprintf(": %s: the docstore would cost more than %d bytes (the load budget", tt.op, tt.budget)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "lcpickle: offset ") || !strings.Contains(msg, want) {
				t.Fatalf("err %v, want the scan's %q", err, want)
			}
		})
	}
}

// TestDecode_MemoryFloodsRefusedCheaply: refusing the floods allocates a
// few MB (the simulated memo is 8 bytes an entry), not the hundreds the
// decoder would. Not parallel: allocated reads a process-wide counter.
func TestDecode_MemoryFloodsRefusedCheaply(t *testing.T) {
	text := func(int) string { return str("t") }
	tests := []struct {
		name string
		data []byte
	}{
		{"MEMOIZE flood", docstorePickle(1, "N"+strings.Repeat("\x94", 4_000_000), text, noMetadata)},                                          // 450 MB decoded
		{"deep EMPTY_LIST nesting", docstorePickle(1, strings.Repeat("]", 2_000_000)+strings.Repeat("a", 1_999_999)+"\x94", text, noMetadata)}, // 350 MB
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = DecodeContext(context.Background(), tt.data, Options{MaxBytes: 16 << 20}) })
			if !errors.Is(err, ErrBudget) {
				t.Fatalf("err %v, want ErrBudget", err)
			}
			if n > 32<<20 {
				t.Fatalf("refusing a %d-byte pickle allocated %d bytes", len(tt.data), n)
			}
		})
	}
}

// decoderHeap decodes b with gopickle as DecodeContext does and returns
// the live heap it holds once done: the decoded value, the memo and the
// stack's capacity (the Unpickler is kept).
func decoderHeap(t *testing.T, b []byte) int64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	u := pickle.NewUnpickler(bytes.NewReader(b))
	u.FindClass = findClass
	v, err := load(&u)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	runtime.KeepAlive(&u)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// TestCosts_AtLeastMeasured: what the scan charges for a pickle, beyond
// its bytes, is at least the heap the decoder holds after decoding it,
// for each shape of value at 100,000 of them and for a LangChain-shaped
// docstore (LangChain's own measured 1.9 to 2.3 times). Not parallel: it
// reads process-wide heap statistics.
func TestCosts_AtLeastMeasured(t *testing.T) {
	const k = 100_000
	le := binary.LittleEndian
	var ints, keys strings.Builder
	for i := range k {
		ints.WriteString("J" + string(le.AppendUint32(nil, uint32(1000+i))))
		keys.WriteString(str(fmt.Sprintf("%07d", i)) + "N")
	}
	rep := strings.Repeat
	docs := docstorePickle(k/10, str("source")+"\x94"+str("page")+"\x94",
		func(i int) string { return str(fmt.Sprint("text of chunk ", i)) },
		func(i int) string {
			return "}(" + binGet(0) + str(fmt.Sprint("doc", i/10, ".md")) + binGet(1) + "K\x03u"
		})
	tests := []struct {
		name string
		data []byte
	}{
		{"MEMOIZE", pk("](", rep("]\x94", k), "e")},
		{"LONG_BINPUT", pk(putFlood(k, false))},
		{"deep EMPTY_LIST", pk(rep("]", k), rep("a", k-1))},
		{"deep LIST", pk(rep("(l", k), rep("a", k-1))},
		{"deep EMPTY_DICT", pk("}", rep("K\x01}", k), rep("s", k))},
		{"None stack", pk(rep("N", k))},
		{"list of strings", pk("](", rep(str("a"), k), "e")},
		{"list of ints", pk("](", ints.String(), "e")},
		{"list of lists", pk("](", rep("]", k), "e")},
		{"list of dicts", pk("](", rep("}", k), "e")},
		{"list of sets", pk("](", rep("\x8f", k), "e")},
		{"list of empty tuples", pk("](", rep(")", k), "e")},
		{"list of MARK tuples", pk("](", rep("(t", k), "e")},
		{"list of MARK dicts", pk("](", rep("(d", k), "e")},
		{"list of TUPLE3", pk("](", rep("NNN\x87", k), "e")},
		{"dict of strings", pk("}(", keys.String(), "u")},
		{"set() of a list", pk(str("builtins")+str("set")+"\x93](", ints.String(), "e\x85R")},
		{"FROZENSET", pk("(", ints.String(), "\x91")},
		{"Document state", pk(str("langchain_core.documents.base")+str("Document")+"\x93)\x81}(", keys.String(), "ub")},
		{"docstore", docs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMeter(context.Background(), Options{MaxBytes: math.MaxInt64})
			if _, err := simulate(tt.data, m); err != nil {
				t.Fatal(err)
			}
			heap := decoderHeap(t, tt.data)
			t.Logf("charged %d bytes, decoder holds %d (%.2fx)", m.used, heap, float64(m.used)/float64(heap))
			if m.used < heap {
				t.Fatalf("charged %d bytes, the decoder holds %d", m.used, heap)
			}
		})
	}
}
