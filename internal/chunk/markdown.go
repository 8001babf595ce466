package chunk

import "strings"

// parseMarkdown splits Markdown into sections at ATX headings ("# ...")
// outside fenced code blocks. The title is the first heading's text. YAML
// front matter ("---" ... "---" at the top) is dropped, apart from a
// "title:" line, which wins over the first heading.
func parseMarkdown(src string) Document {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	var doc Document
	if rest, ok := strings.CutPrefix(src, "---\n"); ok {
		if fm, body, ok := strings.Cut(rest, "\n---\n"); ok {
			for _, line := range strings.Split(fm, "\n") {
				if v, ok := strings.CutPrefix(line, "title:"); ok {
					doc.Title = strings.Trim(strings.TrimSpace(v), `"'`)
				}
			}
			src = body
		}
	}
	var (
		cur   Section
		buf   strings.Builder
		fence string
	)
	flush := func() {
		cur.Text = buf.String()
		if strings.TrimSpace(cur.Text) != "" {
			doc.Sections = append(doc.Sections, cur)
		}
		buf.Reset()
	}
	for _, line := range strings.SplitAfter(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			buf.WriteString(line)
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			buf.WriteString(line)
			continue
		}
		if h, ok := heading(trimmed); ok {
			flush()
			cur = Section{Heading: h}
			if doc.Title == "" {
				doc.Title = h
			}
		}
		buf.WriteString(line)
	}
	flush()
	return doc
}

// heading returns the text of an ATX heading line.
func heading(line string) (string, bool) {
	level := 0
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || (level < len(line) && line[level] != ' ' && line[level] != '\t') {
		return "", false
	}
	text := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(line[level:]), "#"))
	return text, text != ""
}
