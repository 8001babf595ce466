package httpapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vendor0919/api/internal/rag"
)

// chatMessage is one turn of a conversation in /query's messages.
type chatMessage struct {
	Role    string `json:"role" enums:"user,assistant" example:"user"`
	Content string `json:"content" example:"What does the warranty cover?"`
} //	@name	ChatMessage

var roleLiterals = []string{rag.RoleUser, rag.RoleAssistant}

// messages reads the optional "messages" field as pydantic would read
// list[ChatMessage] with min_length 1: the list and each item's role (a
// Literal) and content (a string; the question's length is checked with
// the conversation, checkConversation), every problem an
// item whose loc names it, and then the rule that the last turn is the
// user's. A list over rag.MaxListedMessages is one too_long item; a
// shorter one over MAX_MESSAGES is accepted (rag keeps its newest turns).
// Unknown keys in an item are ignored. It returns nil when the
// field is absent or null.
func (v *validator) messages() []chatMessage {
	raw, present := v.obj["messages"]
	if !present || raw == nil {
		return nil
	}
	bad := func(loc []any, typ, msg string, input any, ctx map[string]any) {
		v.add(ValidationItem{Type: typ, Loc: loc, Msg: msg, Input: input, Ctx: ctx})
	}
	list, ok := raw.([]any)
	if !ok {
		bad([]any{"body", "messages"}, "list_type", "Input should be a valid list", raw, nil)
		return nil
	}
	if len(list) == 0 {
		bad([]any{"body", "messages"}, "too_short", "List should have at least 1 item after validation, not 0", raw,
			map[string]any{"field_type": "List", "min_length": 1, "actual_length": 0})
		return nil
	}
	if len(list) > rag.MaxListedMessages {
		// Before walking the items, so a long list costs one item. Only this
		// hard bound refuses: MAX_MESSAGES is a window rag applies.
		v.add(tooManyMessages(messagesLoc(-1, ""), rag.MaxListedMessages, len(list), raw))
		return nil
	}
	before := v.failures()
	out := make([]chatMessage, len(list))
	for i, e := range list {
		loc := func(name string) []any { return []any{"body", "messages", i, name} }
		obj, ok := e.(map[string]any)
		if !ok {
			bad([]any{"body", "messages", i}, "model_type", "Input should be a valid dictionary or instance of ChatMessage", e,
				map[string]any{"class_name": "ChatMessage"})
			continue
		}
		switch role, present := obj["role"]; {
		case !present:
			bad(loc("role"), "missing", "Field required", obj, nil)
		case !isLiteral(role, roleLiterals):
			exp := literalList(roleLiterals)
			bad(loc("role"), "literal_error", "Input should be "+exp, role, map[string]any{"expected": exp})
		default:
			out[i].Role = role.(string)
		}
		minLen := 0
		if i == len(list)-1 {
			minLen = 1 // the question
		}
		content, present := obj["content"]
		if !present {
			bad(loc("content"), "missing", "Field required", obj, nil)
			continue
		}
		f := field{name: "content", kind: kindString, minLen: minLen}
		val, items := f.coerce(content)
		for _, it := range items {
			it.Loc = loc("content")
			v.add(it)
		}
		out[i].Content, _ = val.(string)
	}
	if v.failures() == before {
		if last := len(out) - 1; out[last].Role != rag.RoleUser {
			bad([]any{"body", "messages", last, "role"}, "value_error", "Value error, the last message must be the user's question", out[last].Role, map[string]any{"error": map[string]any{}})
			return out
		}
		contents := make([]string, len(out))
		for i, m := range out {
			contents[i] = m.Content
		}
		v.checkConversation(contents, messagesLoc)
	}
	return out
}

// messagesLoc is the loc of /query's messages list (i < 0) or of a field
// of its item i.
func messagesLoc(i int, field string) []any {
	if i < 0 {
		return []any{"body", "messages"}
	}
	return []any{"body", "messages", i, field}
}

func isLiteral(v any, literals []string) bool {
	s, ok := v.(string)
	return ok && slices.Contains(literals, s)
}

// ragLoc turns a rag.RequestError field path into a loc: "messages.3.role"
// -> ["body", "messages", 3, "role"]. Only the indexes of messages become
// numbers; a filter's keys stay strings whatever they look like.
func ragLoc(field string) []any {
	loc := []any{"body"}
	parts := strings.Split(field, ".")
	for i, p := range parts {
		// A message's index, or a filter list's ("filter.lang.$in.3").
		list := (i == 1 && parts[0] == "messages") || (i > 0 && (parts[i-1] == "$in" || parts[i-1] == "$nin"))
		if n, err := strconv.Atoi(p); err == nil && list {
			loc = append(loc, n)
			continue
		}
		loc = append(loc, p)
	}
	return loc
}

// splitMessages turns a validated messages list into the question (the last
// turn) and the history before it.
func splitMessages(msgs []chatMessage) (string, []rag.Message) {
	last := len(msgs) - 1
	hist := make([]rag.Message, last)
	for i, m := range msgs[:last] {
		hist[i] = rag.Message{Role: m.Role, Content: m.Content}
	}
	return msgs[last].Content, hist
}

// questionField is where a problem with the question is reported: the
// question field, or the last message's content.
func questionField(nMessages int) string {
	if nMessages == 0 {
		return "question"
	}
	return fmt.Sprintf("messages.%d.content", nMessages-1)
}
