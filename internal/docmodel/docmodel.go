package docmodel

import "strings"

// Chunk is one retrievable piece of text. Row i of a store's vectors and
// id i of its index belong to Chunks[i].
type Chunk struct {
	ID       string         `json:"id"`
	Text     string         `json:"text"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// MetaHeadingPath is the metadata key under which package chunk stores a
// chunk's heading path ("Title > Section > Subsection"). IndexText puts it
// before the text.
const MetaHeadingPath = "heading_path"

// MetaSource is the metadata key under which package chunk stores the
// path of a chunk's document, relative to the folder it was built from
// (LangChain's loaders use the same key): evaluation by document, the
// prompt's citations and the CLI's listings read it.
const MetaSource = "source"

// MetaURL is the metadata key under which package chunk stores the link
// to a chunk's section ("source#anchor", "source#page=N" or the source
// alone): the chunks sharing it are one section.
const MetaURL = "url"

// SectionKey is what makes the section of a chunk with metadata md: its
// MetaURL when that names a place in the document (an anchor, a page),
// else the url with the chunk's heading path. An HTML page whose headings
// carry no ids links every section to the page alone, yet its sections
// are distinct: merged by url, one of them hid the others from a search
// (one chunk per section) and the keyword section field scored the whole
// page as one. "" for a chunk without a url (a LangChain folder's).
func SectionKey(md map[string]any) string {
	url, _ := md[MetaURL].(string)
	if url == "" || strings.Contains(url, "#") {
		return url
	}
	if p, _ := md[MetaHeadingPath].(string); p != "" {
		return url + "\x00" + p
	}
	return url
}

// SectionOf groups n chunks into sections, url(i) being chunk i's
// SectionKey (or its url, for the evaluation's reference): the chunks
// sharing one are one section, numbered in order
// of first appearance; a chunk without one is a section of its own. It
// returns each chunk's section and the number of sections.
func SectionOf(n int, url func(i int) string) (of []uint32, sections int) {
	of = make([]uint32, n)
	byURL := map[string]uint32{}
	for i := range n {
		u := url(i)
		g, ok := byURL[u]
		if !ok || u == "" {
			g = uint32(sections)
			sections++
			if u != "" {
				byURL[u] = g
			}
		}
		of[i] = g
	}
	return of, sections
}

// IndexSeparator joins the heading path and the text in IndexText.
const IndexSeparator = "\n\n"

// IndexText returns the text that represents c in the indexes: its heading
// path, if Metadata has one, then its Text. The embedder at build time and
// the keyword index at load time both take it from here, so a chunk's
// headings count in both rankings while Text, which answers and prompts
// show, stays the passage itself. Chunks without a heading path (stores
// from elsewhere, such as LangChain folders) are indexed by Text alone.
func (c Chunk) IndexText() string {
	p, _ := c.Metadata[MetaHeadingPath].(string)
	if p == "" {
		return c.Text
	}
	return p + IndexSeparator + c.Text
}

// KeywordText returns the text the keyword (BM25) index takes for c:
// IndexText with the heading path once more in front, so that a term of
// the headings counts twice as much as one of the body. This is BM25F's
// field weighting done by repetition: a heading path names what the whole
// passage is about, a body word may be incidental. Counting it twice
// raised keyword hit@5 and MRR@5 on all three evaluation sets and kept
// hybrid at least as good as either ranking (docs/BENCHMARKS.md); the
// embedder keeps IndexText, where a repeat would only crowd out the text.
func (c Chunk) KeywordText() string {
	p, _ := c.Metadata[MetaHeadingPath].(string)
	if p == "" {
		return c.Text
	}
	return p + IndexSeparator + c.IndexText()
}

// EmbeddingModel names the model an embedder runs. A store records the
// EmbeddingModel it was built with, and the service refuses to load a
// store whose model disagrees with the configured embedder's (see
// store.CheckEmbedding).
type EmbeddingModel struct {
	Provider string `json:"provider"` // one of the Provider constants
	Model    string `json:"model"`
	Dims     int    `json:"dims"`
}

// The embedding providers, as EmbeddingModel.Provider, EMBEDDER and
// --embedder name them. Stores record these strings: never rename one.
const (
	ProviderUseLiteGlove = "use-lite-glove" // USE-lite and GloVe joined, the offline default before minilm
	ProviderUseLite      = "use-lite"
	ProviderMiniLM       = "minilm" // all-MiniLM-L6-v2 in process, the offline default
	ProviderHash         = "hash"
	ProviderOpenAI       = "openai"
	ProviderBedrock      = "bedrock"
	ProviderOllama       = "ollama"
)

// EnglishOnly reports whether m's model reads English only: the offline
// models (use-lite's 8,000-piece English vocabulary, GloVe's English
// words, MiniLM's English training) give text in other scripts a vector
// that ranks at random, or nearly.
func (m EmbeddingModel) EnglishOnly() bool {
	switch m.Provider {
	case ProviderUseLiteGlove, ProviderUseLite, ProviderMiniLM:
		return true
	}
	return false
}

// InProcess reports whether m's model runs inside this process (the
// offline models and hash): no network and no per-token price.
func (m EmbeddingModel) InProcess() bool {
	switch m.Provider {
	case ProviderUseLiteGlove, ProviderUseLite, ProviderMiniLM, ProviderHash:
		return true
	}
	return false
}

// WorthCaching reports whether a build should keep m's vectors in an
// embedding cache by default: the remote models (time and money a call),
// and minilm, which embeds 20 to 45 chunks a second on two cores; not
// use-lite, GloVe or hash, which embed faster than a cache is read.
func (m EmbeddingModel) WorthCaching() bool {
	return !m.InProcess() || m.Provider == ProviderMiniLM
}
