package chunk

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Markdown front matter: the title of YAML or TOML at the top of a file,
// read exactly, without a YAML or TOML library (one key of an untrusted
// file does not justify one in the binary).

// frontMatter splits front matter off the top of src: YAML between a
// "---" line and a "---" or "..." line, or TOML (Hugo's) between "+++"
// lines, whose first line that is neither blank nor a comment opens a
// key ("title: ...", "title = ...", "[params]"). It returns the front
// matter's title, if it has one, and the rest of src; src without front
// matter is returned whole. A README that opens with a rule ("---", then
// prose) has none: taken for front matter, everything up to the next
// rule was lost.
func frontMatter(src string) (title, body string) {
	first, rest, ok := strings.Cut(src, "\n")
	if !ok {
		return "", src
	}
	var (
		closers []string
		titleOf func([]string) string
		key     *regexp.Regexp
	)
	switch strings.TrimRight(first, " \t") {
	case "---":
		closers, titleOf, key = []string{"---", "..."}, yamlTitle, yamlKeyLine
	case "+++":
		closers, titleOf, key = []string{"+++"}, tomlTitle, tomlKeyLine
	default:
		return "", src
	}
	var fm []string
	opened := false // a line that opens a key was seen
	for rest != "" {
		line, after, _ := strings.Cut(rest, "\n")
		if slices.Contains(closers, strings.TrimRight(line, " \t")) {
			return titleOf(fm), after
		}
		if !opened && !blankOrComment(line) {
			if !key.MatchString(strings.TrimSpace(line)) {
				return "", src
			}
			opened = true
		}
		fm = append(fm, line)
		rest = after
	}
	return "", src
}

// yamlKeyLine and tomlKeyLine match the line that opens a key of YAML
// front matter ("title: x", "'a b': x", "tags:") or of TOML ("title =
// 'x'", "[params]").
var (
	yamlKeyLine = regexp.MustCompile(`^(?:[^\s#'"\-?:][^:]*|'[^']*'|"[^"]*"):(?:\s|$)`)
	tomlKeyLine = regexp.MustCompile(`^(?:[A-Za-z0-9_.\-]+|"[^"]*"|'[^']*')\s*=|^\[`)
)

// blankOrComment reports whether a front matter line holds nothing to read.
func blankOrComment(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || t[0] == '#'
}

// yamlTitle returns the string value of the top-level "title" key of
// YAML front matter lines: plain, single- or double-quoted, over one line
// or more, or a block scalar ("title: >-" and the more indented lines
// after it). Line breaks become spaces. A title that is anything else (a
// list, a mapping, an alias, a tagged or null value) is "".
func yamlTitle(lines []string) string {
	for i, line := range lines {
		v, ok := strings.CutPrefix(line, "title:")
		if !ok || (v != "" && v[0] != ' ' && v[0] != '\t') {
			continue
		}
		// The value goes on over the more indented lines after the key.
		j := i + 1
		for j < len(lines) && (strings.TrimSpace(lines[j]) == "" || lines[j][0] == ' ') {
			j++
		}
		return yamlScalar(strings.TrimSpace(v), lines[i+1:j])
	}
	return ""
}

// yamlBlockHeader matches a block scalar's header: "|" or ">", then an
// indentation and a chomping indicator in either order, then a comment.
var yamlBlockHeader = regexp.MustCompile(`^[|>]([1-9][+-]?|[+-][1-9]?)?([ \t]+#.*)?$`)

// yamlScalar reads the scalar that starts with v, the rest of its key's
// line, and goes on over more, the more indented lines after it.
func yamlScalar(v string, more []string) string {
	if v == "" || v[0] == '#' {
		v = ""
	}
	if v != "" && (v[0] == '|' || v[0] == '>') {
		if !yamlBlockHeader.MatchString(v) {
			return ""
		}
		return strings.Join(strings.Fields(strings.Join(more, " ")), " ")
	}
	for _, l := range more {
		v += " " + strings.TrimSpace(l)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	switch v[0] {
	case '"', '\'':
		esc, doubled := yamlEscapes, false
		if v[0] == '\'' {
			esc, doubled = "", true
		}
		s, rest, ok := unquote(v, esc, doubled)
		if !ok || !onlyComment(rest) {
			return ""
		}
		return strings.Join(strings.Fields(s), " ")
	case '[', '{', '&', '*', '!', '%', '@', '`', '|', '>', ',':
		return ""
	case '-', '?', ':':
		if len(v) == 1 || v[1] == ' ' {
			return ""
		}
	}
	// A plain scalar: " #" starts a comment, ": " a mapping.
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	v = strings.Join(strings.Fields(v), " ")
	if strings.Contains(v, ": ") || strings.HasSuffix(v, ":") || v == "~" || v == "null" || v == "Null" || v == "NULL" {
		return ""
	}
	return v
}

// tomlTitle returns the top-level "title" of TOML front matter lines, a
// basic or literal string on one line or a multi-line one between three
// quotes. Line breaks become spaces. A title that is not a string is "".
func tomlTitle(lines []string) string {
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			return "" // a table: the keys after it are not top level
		}
		key, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		if k := strings.TrimSpace(key); k != "title" && k != `"title"` && k != "'title'" {
			continue
		}
		v = strings.TrimLeft(v, " \t")
		if strings.HasPrefix(v, `"""`) || strings.HasPrefix(v, "'''") {
			v = strings.Join(append([]string{v}, lines[i+1:]...), "\n")
			return tomlMultiline(v)
		}
		if v == "" {
			return ""
		}
		var s, rest string
		switch v[0] {
		case '"':
			s, rest, ok = unquote(v, tomlEscapes, false)
		case '\'':
			s, rest, ok = unquote(v, "", false)
		}
		if !ok || !onlyComment(rest) {
			return ""
		}
		return strings.Join(strings.Fields(s), " ")
	}
	return ""
}

// tomlMultiline reads the multi-line string that starts v and goes on to
// the end of the front matter.
func tomlMultiline(v string) string {
	q := v[:3]
	body := v[3:]
	end := strings.Index(body, q)
	if end < 0 {
		return ""
	}
	// One or two quotes just before the closing three are text.
	for n := 0; n < 2 && end+3 < len(body) && body[end+3] == q[0]; n++ {
		end++
	}
	rest, _, _ := strings.Cut(body[end+3:], "\n")
	if !onlyComment(rest) {
		return ""
	}
	body = body[:end]
	if q == `"""` {
		// A backslash ending a line trims the line break and the spaces
		// after it; other escapes are read as in a basic string.
		s, _, ok := unquote(`"`+strings.ReplaceAll(body, `"`, `\"`)+`"`, tomlEscapes+"\n", false)
		if !ok {
			return ""
		}
		body = s
	}
	return strings.Join(strings.Fields(body), " ")
}

// Escapes after a backslash that unquote reads in YAML's double-quoted
// and TOML's basic strings.
const (
	yamlEscapes = "0abtnvfre \"/\\N_LPxuU\t"
	tomlEscapes = "btnfre\"\\uU"
)

// unquote reads the quoted string at the start of s and returns it with
// what follows its closing quote. Backslash escapes are read when escapes
// lists them (YAML's double-quoted, TOML's basic strings), else a
// backslash is a backslash; a doubled quote is one quote when doubled is
// set (YAML's single-quoted strings). An escape not in escapes or a
// string without its closing quote is not ok.
func unquote(s, escapes string, doubled bool) (string, string, bool) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q && doubled && i+1 < len(s) && s[i+1] == q:
			b.WriteByte(q)
			i++
		case c == q:
			return b.String(), s[i+1:], true
		case c == '\\' && escapes != "":
			if i+1 >= len(s) || strings.IndexByte(escapes, s[i+1]) < 0 {
				return "", "", false
			}
			i++
			n := 0
			switch s[i] {
			case 'x':
				n = 2
			case 'u':
				n = 4
			case 'U':
				n = 8
			case 'n', 't', 'r', '\t', ' ', 'N', 'L', 'P', '_':
				b.WriteByte(' ') // folded into a space anyway
			case '\n':
				// a line break escaped in TOML: it and the spaces after go
				for i+1 < len(s) && strings.IndexByte(" \t\n", s[i+1]) >= 0 {
					i++
				}
			case '"', '\\', '/':
				b.WriteByte(s[i])
			}
			if n > 0 {
				if i+n >= len(s) {
					return "", "", false
				}
				r, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
				if err != nil || r > unicode.MaxRune {
					return "", "", false
				}
				b.WriteRune(rune(r))
				i += n
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

// onlyComment reports whether s, what follows a value on its line, is
// blank or a comment.
func onlyComment(s string) bool {
	s = strings.TrimLeft(s, " \t")
	return s == "" || s[0] == '#'
}
