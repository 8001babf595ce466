package rag

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/tokens"
)

// DefaultPromptTemplate is the built-in prompt. A replacement must define
// the "system" and "user" templates; both are executed with PromptData.
const DefaultPromptTemplate = `{{define "system"}}You answer questions about the company's documents using only the numbered passages you are given.
Cite the passages you rely on by their numbers in square brackets, for example [1] or [2][3].
If the passages do not contain the answer, say so plainly instead of guessing.
Answer in the same language as the question unless the question asks for another language.{{end}}
{{define "user"}}Passages:
{{range .Passages}}
[{{.N}}] {{.Source}}
{{.Text}}
{{else}}
(no passages were found)
{{end}}
Question: {{.Question}}{{end}}`

// PromptData is what the prompt templates are executed with.
type PromptData struct {
	Question string
	Passages []llm.Passage
}

func parsePrompt(text string) (*template.Template, error) {
	t, err := template.New("prompt").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("rag: parse prompt template: %w", err)
	}
	for _, name := range []string{"system", "user"} {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("rag: parse prompt template: no %q template defined", name)
		}
	}
	return t, nil
}

// render executes the prompt into a system message, the conversation's
// earlier turns as they are, and a user message with the passages and the
// latest question, the order chat models expect.
func (s *Service) render(d PromptData, history []Message) ([]llm.Message, error) {
	msgs := make([]llm.Message, 0, 2+len(history))
	for _, role := range []string{"system", "user"} {
		if role == "user" {
			for _, m := range history {
				msgs = append(msgs, llm.Message{Role: m.Role, Content: m.Content})
			}
		}
		var b strings.Builder
		if err := s.prompt.ExecuteTemplate(&b, role, d); err != nil {
			return nil, fmt.Errorf("rag: render prompt: %w", err)
		}
		msgs = append(msgs, llm.Message{Role: role, Content: strings.TrimSpace(b.String())})
	}
	return msgs, nil
}

// fitBudget numbers hits as passages in rank order while their estimated
// tokens fit budget. It returns the passages and the hits they came from.
// A top hit larger than the whole budget is cut at a rune boundary.
func fitBudget(hits []Hit, budget int) ([]llm.Passage, []Hit) {
	var (
		ps   []llm.Passage
		used int
	)
	for i, h := range hits {
		text := h.Text
		t := tokens.Estimate(text)
		if used+t > budget {
			if i > 0 {
				break
			}
			text = tokens.Truncate(text, budget)
			if text == "" {
				break
			}
			t = tokens.Estimate(text)
		}
		used += t
		ps = append(ps, llm.Passage{N: i + 1, ID: h.ID, Text: text, Source: sourceOf(h)})
	}
	return ps, hits[:len(ps)]
}

// sourceOf names a hit for display: its title and source path when known.
func sourceOf(h Hit) string {
	src, _ := h.Metadata[docmodel.MetaSource].(string)
	title, _ := h.Metadata["title"].(string)
	switch {
	case title != "" && src != "":
		return title + " (" + src + ")"
	case src != "":
		return src
	case title != "":
		return title
	}
	return h.ID
}
