package chunk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/vendor0919/api/internal/docmodel"
)

// ErrUnsupported marks a file type no loader handles.
var ErrUnsupported = errors.New("chunk: unsupported file type")

// ErrNotText marks a Markdown or plain-text file that is not UTF-8 text:
// it holds a NUL byte (a binary file, or UTF-16 without a byte-order
// mark) or a byte sequence that is not UTF-8 (Latin-1, Shift_JIS).
var ErrNotText = errors.New("not UTF-8 text")

// Document is one loaded source file.
type Document struct {
	// Source is the slash-separated path relative to the corpus root; it
	// doubles as the document id.
	Source   string
	Title    string
	Sections []Section
}

// Section is a run of text under one heading. Text is the body without the
// heading line: the heading reaches the index through the heading path that
// Chunks stores with every chunk (see IndexText in package docmodel).
type Section struct {
	// Heading is the innermost heading the text sits under; "" before the
	// first heading.
	Heading string
	// Path lists the headings from the outermost down to Heading, without
	// the document title: a top heading that repeats the title is left
	// out, so Path may be empty while Heading is not.
	Path []string
	// Anchor is the fragment id that links to the section: its heading's
	// own (HTML id, Markdown slug) or, failing that, that of the nearest
	// enclosing heading that has one; "" if none does.
	Anchor string
	Text   string
	// Page is the 1-based PDF page the text comes from; 0 for other
	// formats. A PDF gives one Section per page, or several where its
	// outline's headings cut the page.
	Page int
}

// Supported reports whether Load handles files with the name's extension.
func Supported(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf":
		return true
	}
	return false
}

// PDFParser turns a PDF file's bytes into a Document's Title and
// Sections; ParsePDF is the one this package has. Parse sets the
// Document's Source, fills an empty Title and folds ligatures after it.
// ctx ends a parse that is still running: the parser then returns an
// error (ctx.Err(), possibly wrapped). A PDFParser may be called from
// several goroutines at once.
type PDFParser func(ctx context.Context, b []byte) (Document, error)

// ParsePDF is the PDFParser that reads the PDF in this process, with the
// package's caps on reads, operators, page-tree nodes and text; it does
// not watch ctx. Those caps bound neither time nor memory (see the
// package doc), so a caller that reads PDFs it does not trust runs it in
// a child process with OS limits instead (package pdfsandbox).
func ParsePDF(_ context.Context, b []byte) (Document, error) {
	return parsePDF(b)
}

// Loader loads documents. The zero value parses every format in this
// process.
type Loader struct {
	// PDF parses .pdf files; nil means ParsePDF.
	PDF PDFParser
}

// Parse is Loader{}.Parse with a background context: every format,
// PDF included, is parsed in this process.
func Parse(source string, content []byte) (Document, error) {
	return Loader{}.Parse(context.Background(), source, content)
}

// Parse turns a file's content into a Document by the extension of source:
// Markdown (.md, .markdown), plain text (.txt, .text), HTML (.html, .htm)
// or PDF (.pdf, read by l.PDF under ctx). Other extensions give an error
// wrapping ErrUnsupported. Markdown and plain text are read as UTF-8 (a
// byte-order mark dropped) or as UTF-16 with a byte-order mark; other
// bytes give an error wrapping ErrNotText that says where and how to
// convert the file. The title and headings are cut to 1,000 runes
// (maxHeadingRunes), and a section id longer than 1,000 bytes is dropped
// (maxAnchorBytes).
func (l Loader) Parse(ctx context.Context, source string, content []byte) (Document, error) {
	var doc Document
	var err error
	switch strings.ToLower(filepath.Ext(source)) {
	case ".md", ".markdown":
		var text string
		if text, err = decodeText(content); err == nil {
			doc = parseMarkdown(text, source)
		}
	case ".txt", ".text":
		var text string
		if text, err = decodeText(content); err == nil {
			doc = Document{Sections: []Section{{Text: text}}}
		}
	case ".html", ".htm":
		doc, err = parseHTML(source, content)
	case ".pdf":
		parse := l.PDF
		if parse == nil {
			parse = ParsePDF
		}
		doc, err = parse(ctx, content)
	default:
		return Document{}, fmt.Errorf("%w: %s", ErrUnsupported, source)
	}
	if err != nil {
		return Document{}, fmt.Errorf("chunk: parse %s: %w", source, err)
	}
	doc.Source = filepath.ToSlash(source)
	if doc.Title == "" {
		base := filepath.Base(source)
		doc.Title = strings.TrimSuffix(base, filepath.Ext(base))
	}
	foldLigatures(&doc)
	capHeadings(&doc)
	return doc, nil
}

// decodeText returns a Markdown or plain-text file's bytes as UTF-8 text:
// a UTF-8 byte-order mark is dropped and UTF-16 with a byte-order mark
// (as Windows' Notepad and PowerShell write it) decoded. Anything else
// with a NUL byte or that is not valid UTF-8 is an error wrapping
// ErrNotText: indexed as it was, 200 KB of random bytes made 325 chunks
// of noise and Latin-1 letters became U+FFFD.
func decodeText(b []byte) (string, error) {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		b = b[3:]
	case len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF):
		d, err := xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil {
			return "", fmt.Errorf("%w: UTF-16: %w", ErrNotText, err)
		}
		b = d
	}
	if i := slices.Index(b, 0); i >= 0 {
		return "", fmt.Errorf("%w (a NUL byte at offset %d: a binary file, or UTF-16 without a byte-order mark): convert it, e.g. iconv -f utf-16le -t utf-8, or remove it", ErrNotText, i)
	}
	if !utf8.Valid(b) {
		i := 0
		for i < len(b) {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		// Not guessed, as HTML's undeclared charset is: a Shift_JIS or
		// EUC-JP file read as windows-1252 would be indexed as noise.
		return "", fmt.Errorf("%w (byte 0x%02x at offset %d): convert it from its encoding, e.g. iconv -f cp1252 -t utf-8 (or -f shift_jis, -f euc-jp)", ErrNotText, b[i], i)
	}
	return string(b), nil
}

// maxHeadingRunes is the most runes Parse keeps of a document's title and
// of each heading (in Heading and in Path). Each is copied into every
// chunk of its section, as metadata and in the heading path that is
// indexed with the text, so one heading of 100,000 words made gigabytes
// of chunks. Real headings stay far below it: C++ and Python signatures
// run to 200-400 runes, and the longest in the evaluation corpora, a
// Python dict's repr heading an entry of Flask's API reference, has 833.
const maxHeadingRunes = 1000

// maxAnchorBytes is the longest section id Parse keeps. Like a heading,
// an id is copied into every chunk of its section (anchor and url): one
// id of a megabyte over a section of 229 chunks made 458 MB of chunks, and
// an id over the 4 MiB a chunk may have (store.MaxChunkLineBytes) failed
// the whole build at its end, after every chunk was embedded. An id
// cannot be cut (the link would lead nowhere), so a longer one is dropped
// and the section links to its page. Real ids are far shorter: 127 bytes
// at most over the 35,005 anchored chunks of the evaluation corpora
// (Crystal's method ids).
const maxAnchorBytes = 1000

// capHeadings cuts doc's title, each section's heading and each part of
// its heading path to maxHeadingRunes, and drops an anchor longer than
// maxAnchorBytes.
func capHeadings(doc *Document) {
	doc.Title = capHeading(doc.Title)
	for i := range doc.Sections {
		s := &doc.Sections[i]
		s.Heading = capHeading(s.Heading)
		if len(s.Anchor) > maxAnchorBytes {
			s.Anchor = ""
		}
		for j := range s.Path {
			s.Path[j] = capHeading(s.Path[j])
		}
	}
}

// capHeading returns h cut to maxHeadingRunes, without the spaces the cut
// may leave at its end.
func capHeading(h string) string {
	if len(h) <= maxHeadingRunes { // no more runes than bytes
		return h
	}
	if t := TruncateRunes(h, maxHeadingRunes); len(t) < len(h) {
		return strings.TrimRightFunc(t, unicode.IsSpace)
	}
	return h
}

// ligatures spells out the Latin typographic ligatures (U+FB00 to
// U+FB06) that TeX-made HTML (TeX4ht) and PDF text extraction leave in
// words. The keyword analyzer folds them itself (NFKC), but embedders
// do not: BERT's tokenizer reads "ﬁle" as one unknown token. Only these
// are folded, not all of NFKC, so that the text shown keeps its
// full-width letters, superscripts and the like.
var ligatures = strings.NewReplacer(
	"\uFB00", "ff", "\uFB01", "fi", "\uFB02", "fl", "\uFB03", "ffi",
	"\uFB04", "ffl", "\uFB05", "st", "\uFB06", "st")

// foldLigatures applies ligatures to everything of doc that is read:
// its title and each section's text and headings.
func foldLigatures(doc *Document) {
	doc.Title = spellLigatures(doc.Title)
	for i := range doc.Sections {
		s := &doc.Sections[i]
		s.Heading = spellLigatures(s.Heading)
		s.Text = spellLigatures(s.Text)
		for j := range s.Path {
			s.Path[j] = spellLigatures(s.Path[j])
		}
	}
}

// spellLigatures returns s with ligatures spelled out. Most text has
// none, and a strings.Replacer with multi-byte patterns copies every
// string it is given, so s is scanned first and returned as it is.
func spellLigatures(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= '\uFB00' && r <= '\uFB06' }) {
		return s
	}
	return ligatures.Replace(s)
}

// Failure is a file LoadDir left out because it could not be read or
// parsed.
type Failure struct {
	Path string // relative to the root
	Err  error
}

// LoadDir parses every supported file under root (hidden files and folders
// are skipped) with l.Parse and returns the documents sorted by source. A
// file that fails to read or parse is returned in failures and the rest
// still load: one broken PDF does not stop a build. err is for the walk
// itself (an unreadable root, a cancelled ctx, also when ctx ends while the
// last file is parsed).
func (l Loader) LoadDir(ctx context.Context, root string) (docs []Document, failures []Failure, err error) {
	// Files are opened through the root (openat), which refuses a path
	// that leaves it: a link swapped in after readDocument's check cannot
	// publish a file from elsewhere.
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return nil, nil, fmt.Errorf("chunk: load %s: not a folder (give the folder that holds the documents)", root)
	}
	in, err := os.OpenRoot(root)
	if err != nil {
		return nil, nil, fmt.Errorf("chunk: load %s: %w", root, err)
	}
	defer in.Close()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !Supported(path) {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if !utf8.ValidString(rel) {
			// The name becomes the chunks' source and url, which JSON
			// writes with U+FFFD for each bad byte: two such files would
			// share one citation.
			failures = append(failures, Failure{Path: strings.ToValidUTF8(rel, "\uFFFD"), Err: errors.New("the file name is not valid UTF-8: rename it")})
			return nil
		}
		b, err := readDocument(in, root, rel)
		if err == nil {
			var doc Document
			if doc, err = l.Parse(ctx, rel, b); err == nil {
				docs = append(docs, doc)
				return nil
			}
		}
		if err := ctx.Err(); err != nil {
			return err // the parse was cut short, not the file broken
		}
		failures = append(failures, Failure{Path: rel, Err: err})
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("chunk: load %s: %w", root, err)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Source < docs[j].Source })
	return docs, failures, nil
}

// MaxFileBytes is the largest document LoadDir reads: parsing holds a
// file's text several times over (a 200 MB one-line HTML page took 4.4
// GB), so a larger file is reported and skipped, not read.
const MaxFileBytes = 64 << 20

// readDocument reads the file rel of the folder root, opened as in, as a
// document: a regular file of at most MaxFileBytes. A symbolic link is
// followed to a file inside root only, so that a link planted in a docs
// tree cannot publish a file from elsewhere on the machine; a FIFO,
// device or socket is refused before it is opened (reading one would
// block or never end). These checks name the fault; openRegular enforces
// them on what is really opened, whatever changed since.
func readDocument(in *os.Root, root, rel string) ([]byte, error) {
	path := filepath.Join(root, rel)
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	open := rel
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, err
		}
		realRoot, err := filepath.EvalSymlinks(root)
		if err != nil {
			return nil, err
		}
		if open, err = filepath.Rel(realRoot, target); err != nil || !filepath.IsLocal(open) {
			return nil, errors.New("a symbolic link to a file outside the input folder")
		}
		// The target, not the link: os.Root refuses an absolute link,
		// or one whose ".." climbs above the folder, even to a file
		// inside it.
		if fi, err = os.Stat(path); err != nil {
			return nil, err
		}
	}
	if err := checkRegular(fi); err != nil {
		return nil, err
	}
	f, err := openRegular(in, open)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileBytes { // it grew after the check
		return nil, fmt.Errorf("over the %d bytes a document may have", MaxFileBytes)
	}
	return b, nil
}

// openRegular opens rel inside in (never a path that leaves it, through
// a link or "..") without blocking on a FIFO, and returns it only if the
// opened file is a regular one of at most MaxFileBytes.
func openRegular(in *os.Root, rel string) (*os.File, error) {
	f, err := in.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkRegular(fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkRegular refuses what is not a regular file of at most
// MaxFileBytes.
func checkRegular(fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	if fi.Size() > MaxFileBytes {
		return fmt.Errorf("%d bytes, over the %d a document may have", fi.Size(), MaxFileBytes)
	}
	return nil
}

// ID returns the stable chunk id for chunk index i of the document at
// source.
func ID(source string, i int) string {
	h := sha256.Sum256([]byte(source + "#" + strconv.Itoa(i)))
	return hex.EncodeToString(h[:8])
}

// HeadingPath joins a document title and a section's heading path into
// the string stored as metadata "heading_path": "Title > Section >
// Subsection". Empty parts are left out.
func HeadingPath(title string, path []string) string {
	parts := make([]string, 0, len(path)+1)
	for _, p := range append([]string{title}, path...) {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " > ")
}

// Chunks splits doc into chunks, section by section, and returns them in
// order with whitespace trimmed and empty pieces dropped. A section longer
// than the chunk size is split by Split with room left for its heading
// path, which IndexText puts before the text; a path longer than the chunk
// size is cut to it, and the text keeps at least half of the chunk size
// however long the path, so the indexed text never exceeds one and a half
// times the chunk size (plus IndexSeparator). A chunk never spans two
// sections, except that adjacent small sections under the same parent
// heading, sharing one anchor, are joined while they fit (see mergeable).
// Metadata: "source", "title", "chunk", "heading_path", "url", and when
// known "section" (the innermost heading of the section the chunk starts
// in), "anchor" and "page".
func Chunks(doc Document, opts Options) []docmodel.Chunk {
	size, overlap := opts.norm()
	if overlap == 0 {
		overlap = -1 // Options reads 0 as the default
	}
	var out []docmodel.Chunk
	secs := doc.Sections
	for len(secs) > 0 {
		sec := secs[0]
		secs = secs[1:]
		path := HeadingPath(doc.Title, sec.Path)
		if utf8.RuneCountInString(path) > size {
			// However long the headings, the path before each chunk's
			// text is at most the chunk size and the text at least half
			// of it (see room): a section makes at most twice the chunks
			// its text alone would, each indexed with a bounded prefix.
			// Real paths stay well below it (376 runes at most in the
			// evaluation corpora, at 800).
			path = strings.TrimRightFunc(TruncateRunes(path, size), unicode.IsSpace)
		}
		room := size - utf8.RuneCountInString(path) - len(docmodel.IndexSeparator)
		text := strings.TrimSpace(sec.Text)
		for len(secs) > 0 && mergeable(sec, secs[0]) {
			next := strings.TrimSpace(secs[0].Text)
			if !slices.Equal(sec.Path, secs[0].Path) {
				next = secs[0].Heading + "\n\n" + next
			}
			if utf8.RuneCountInString(text)+2+utf8.RuneCountInString(next) > room {
				break
			}
			text += "\n\n" + next
			secs = secs[1:]
		}
		for _, sp := range Split(text, Options{Size: max(room, size/2), Overlap: overlap}) {
			t := strings.TrimSpace(sp.Text)
			if t == "" {
				continue
			}
			i := len(out)
			md := map[string]any{docmodel.MetaSource: doc.Source, "title": doc.Title, "chunk": i, docmodel.MetaHeadingPath: path}
			if sec.Heading != "" {
				md["section"] = sec.Heading
			}
			switch {
			case sec.Anchor != "":
				md["anchor"] = sec.Anchor
				md[docmodel.MetaURL] = doc.Source + "#" + sec.Anchor
			case sec.Page > 0:
				// RFC 8118's fragment: PDF viewers open the page.
				md[docmodel.MetaURL] = doc.Source + "#page=" + strconv.Itoa(sec.Page)
			default:
				md[docmodel.MetaURL] = doc.Source
			}
			if sec.Page > 0 {
				md["page"] = sec.Page
			}
			out = append(out, docmodel.Chunk{ID: ID(doc.Source, i), Text: t, Metadata: md})
		}
	}
	return out
}

// mergeable reports whether section b may join the chunk that starts with
// section a: both sit under the same parent heading below the top level
// (a chunk never spans two top-level sections), on the same page, and
// share their anchor, so the chunk's link and heading path still lead to
// all of its text. In practice this joins small subsections that have no
// anchor of their own under a parent that has one; sections with anchors
// of their own stay apart, so a citation links to the right one.
func mergeable(a, b Section) bool {
	if a.Anchor != b.Anchor || a.Page != b.Page || len(a.Path) < 2 || len(b.Path) < 2 {
		return false
	}
	return slices.Equal(a.Path[:len(a.Path)-1], b.Path[:len(b.Path)-1])
}
