package pdfsandbox_test

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"strings"
)

// The hostile PDFs a reviewer found, written here rather than committed:
// two are megabytes, and the code says what each one does.

// pdfObject is one numbered object's body.
type pdfObject struct {
	id   int
	body []byte
}

// classicPDF writes objs with a classic xref table; object 1 is the
// catalog.
func classicPDF(objs []pdfObject) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", o.id, o.body)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// xrefStreamPDF writes objs (ids 1..n, in order) and an xref stream
// declaring size objects; compressed maps an object id to the object
// stream and index it claims to be in.
func xrefStreamPDF(objs []pdfObject, size string, compressed map[int][2]int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	offs := map[int]int{}
	xid := 0
	for _, o := range objs {
		offs[o.id] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", o.id, o.body)
		xid = max(xid, o.id+1)
	}
	offs[xid] = b.Len()
	var rows []byte
	for i := 0; i <= xid; i++ {
		row := make([]byte, 7)
		switch c, ok := compressed[i]; {
		case ok:
			row[0] = 2
			binary.BigEndian.PutUint32(row[1:], uint32(c[0]))
			binary.BigEndian.PutUint16(row[5:], uint16(c[1]))
		case offs[i] > 0:
			row[0] = 1
			binary.BigEndian.PutUint32(row[1:], uint32(offs[i]))
		}
		rows = append(rows, row...)
	}
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %s /W [1 4 2] /Index [0 %d] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n",
		xid, size, xid+1, len(rows), rows)
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", offs[xid])
	return b.Bytes()
}

// onePage is a catalog, a page tree and one page whose /Contents is
// contents, with the font F1 (objects 1 to 4; the caller adds the rest).
func onePage(contents string) []pdfObject {
	return []pdfObject{
		{1, []byte("<< /Type /Catalog /Pages 2 0 R >>")},
		{2, []byte("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")},
		{3, []byte("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents " + contents + " >>")},
		{4, []byte("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")},
	}
}

// flateStream is a FlateDecode stream object of head then n times rep.
// A MiB of rep is deflated once, on its own, and its blocks repeated: a
// block that refers back only within itself may follow any other.
func flateStream(head, rep string, n int) []byte {
	deflate := func(s string) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestCompression)
		w.Write([]byte(s))
		w.Flush() // ends byte-aligned, not final
		return b.Bytes()
	}
	unit := strings.Repeat(rep, (1<<20)/len(rep))
	block := deflate(unit)
	sum := adler32.New()
	sum.Write([]byte(head))
	z := append([]byte{0x78, 0x9c}, deflate(head)...) // zlib header
	for written := 0; written < n*len(rep); written += len(unit) {
		z = append(z, block...)
		sum.Write([]byte(unit))
	}
	z = append(z, 3, 0) // an empty final block
	z = binary.BigEndian.AppendUint32(z, sum.Sum32())
	return append(fmt.Appendf(nil, "<< /Length %d /Filter /FlateDecode >>\nstream\n", len(z)), append(z, "\nendstream"...)...)
}

// hostileObjStm: the root is object 0 of an object stream that claims
// 9000000000000000000 objects; the library reads tokens for each at end
// of file, reading nothing, forever (322 bytes).
func hostileObjStm() []byte {
	return xrefStreamPDF([]pdfObject{
		{2, []byte("<< /Type /Pages /Kids [] /Count 0 >>")},
		{3, []byte("<< /Type /ObjStm /N 9000000000000000000 /First 4 /Length 4 >>\nstream\n9 0 \nendstream")},
	}, "5", map[int][2]int{1: {3, 0}})
}

// hostileOperands: one text operator, then 64 MiB of "1 " that the
// library pushes on its operand stack, never popped (it took 8.9 GB).
func hostileOperands() []byte {
	return classicPDF(append(onePage("5 0 R"),
		pdfObject{5, flateStream("BT /F1 12 Tf 72 700 Td (x) Tj ET\n", "1 ", 32<<20)}))
}

// hostileRepeats: the page's contents are one stream of 1 GiB of spaces
// named 50 times; the library inflates and scans it each time (114 s).
func hostileRepeats() []byte {
	refs := strings.TrimSpace(strings.Repeat("5 0 R ", 50))
	return classicPDF(append(onePage("["+refs+"]"),
		pdfObject{5, flateStream("BT /F1 12 Tf 72 700 Td (x) Tj ET\n", " ", 1<<30)}))
}

// hostileXrefSize: an xref stream declaring 2000000000 objects, which
// the library allocates a table for.
func hostileXrefSize() []byte {
	objs := append(onePage("5 0 R"), pdfObject{5, []byte("<< /Length 41 >>\nstream\nBT /F1 12 Tf 72 700 Td (Hello xref) Tj ET\nendstream")})
	return xrefStreamPDF(objs, "2000000000", nil)
}
