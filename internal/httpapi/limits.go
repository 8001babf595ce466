package httpapi

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/rag"
)

// Limits bounds what one request may carry, so that no request makes the
// embedder, the model or a search do more than a frontend's question
// needs. Zero fields take the defaults noted (the same as rag's, which
// checks them again for other callers). They are checked by the validator,
// before anything is embedded or generated; that is also what keeps the
// providers' retries on 5xx cheap: a retry resends at most this much.
//
// A conversation's turns and characters in all (MAX_MESSAGES,
// MAX_CONVERSATION_CHARS) are not here: rag keeps the newest turns within
// them rather than refusing, as a chat client resends the whole
// conversation every turn. Its list is bounded by rag.MaxListedMessages.
type Limits struct {
	// QuestionChars bounds /query's question, /search's query and the last
	// (user) message of a conversation, in characters (MAX_QUESTION_CHARS;
	// 0: rag.DefaultMaxQuestionChars, 4000).
	QuestionChars int
}

func (l Limits) withDefaults() Limits {
	if l.QuestionChars <= 0 {
		l.QuestionChars = rag.DefaultMaxQuestionChars
	}
	return l
}

// Bounds on a 422's body: a body with a million bad elements gets the
// first maxErrorItems items and one more that counts the rest, and each
// item's input echo is cut to a few hundred bytes.
const (
	maxErrorItems   = 20
	omittedType     = "too_many_errors"
	maxEchoChars    = 128 // of a string
	maxEchoElems    = 8   // of a list or an object
	maxEchoDepth    = 3
	echoEllipsis    = "..."
	echoMoreElemFmt = "... %d more"
)

// add records items, keeping the first maxErrorItems and counting the
// rest (an omitted-items summary from coerce adds its count).
func (v *validator) add(items ...ValidationItem) {
	for _, it := range items {
		switch {
		case it.Type == omittedType:
			v.omitted += omittedCount(it)
		case len(v.items) < maxErrorItems:
			v.items = append(v.items, it)
		default:
			v.omitted++
		}
	}
}

// failures returns how many problems were found, kept or not.
func (v *validator) failures() int { return len(v.items) + v.omitted }

func omittedCount(it ValidationItem) int {
	n, _ := it.Ctx["omitted"].(int)
	return n
}

// omittedItem is the last item of a capped 422: how many more problems
// there were. Its shape is an ordinary item's, so clients that read
// FastAPI's list read it too.
func omittedItem(n int) ValidationItem {
	return ValidationItem{Type: omittedType, Loc: []any{"body"},
		Msg:   fmt.Sprintf("%d more error%s not listed (at most %d are)", n, plural(n), maxErrorItems),
		Input: map[string]any{}, Ctx: map[string]any{"omitted": n, "max_errors": maxErrorItems}}
}

// boundItems caps items at maxErrorItems plus one summary and cuts each
// input echo short. It copies; items are not changed.
func boundItems(items []ValidationItem) []ValidationItem {
	out := make([]ValidationItem, 0, min(len(items), maxErrorItems+1))
	omitted := 0
	for _, it := range items {
		switch {
		case it.Type == omittedType:
			omitted += omittedCount(it)
		case len(out) < maxErrorItems:
			it.Input = echo(it.Input, maxEchoDepth)
			out = append(out, it)
		default:
			omitted++
		}
	}
	if omitted > 0 {
		out = append(out, omittedItem(omitted))
	}
	return out
}

// echo returns a short copy of a decoded JSON value for an item's input:
// strings cut to maxEchoChars characters, lists and objects to
// maxEchoElems elements (then "... N more"), nesting to depth.
func echo(v any, depth int) any {
	switch x := v.(type) {
	case string:
		if len(x) <= maxEchoChars {
			return x
		}
		n, cut := 0, 0
		for cut = range x {
			if n == maxEchoChars {
				return x[:cut] + echoEllipsis
			}
			n++
		}
		return x
	case []any:
		if depth == 0 {
			return echoEllipsis
		}
		out := make([]any, 0, min(len(x), maxEchoElems+1))
		for i, e := range x {
			if i == maxEchoElems {
				out = append(out, fmt.Sprintf(echoMoreElemFmt, len(x)-i))
				break
			}
			out = append(out, echo(e, depth-1))
		}
		return out
	case []float32:
		if len(x) <= maxEchoElems {
			return x
		}
		l := make([]any, len(x[:maxEchoElems]))
		for i, f := range x[:maxEchoElems] {
			l[i] = f
		}
		return append(l, fmt.Sprintf(echoMoreElemFmt, len(x)-maxEchoElems))
	case map[string]any:
		if depth == 0 {
			return echoEllipsis
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make(map[string]any, min(len(x), maxEchoElems+1))
		for i, k := range keys {
			if i == maxEchoElems {
				out[echoEllipsis] = fmt.Sprintf(echoMoreElemFmt, len(keys)-i)
				break
			}
			out[echo(k, 0).(string)] = echo(x[k], depth-1)
		}
		return out
	}
	return v
}

// checkConversation applies the limits to a conversation's turns after
// each was validated on its own: the question's length. The earlier
// turns' number, length and characters in all are rag's window, not a
// reason to refuse (a client sends the service's own long answers
// back). at gives an item's loc for turn i's field ("role", "content").
func (v *validator) checkConversation(contents []string, at func(i int, field string) []any) {
	if it, bad := conversationProblem(v.lim, contents, at); bad {
		v.add(it)
	}
}

// conversationProblem is checkConversation's rule, for callers without a
// validator: the first limit contents breaks, if any.
func conversationProblem(lim Limits, contents []string, at func(i int, field string) []any) (ValidationItem, bool) {
	if len(contents) == 0 {
		return ValidationItem{}, false
	}
	last := len(contents) - 1
	if n := utf8.RuneCountInString(contents[last]); n > lim.QuestionChars {
		return stringTooLong(at(last, "content"), lim.QuestionChars, contents[last]), true
	}
	return ValidationItem{}, false
}

// tooManyMessages is the 422 item of a messages list over
// rag.MaxListedMessages.
func tooManyMessages(loc []any, limit, n int, raw any) ValidationItem {
	return ValidationItem{Type: "too_long", Loc: loc, Input: raw,
		Msg: fmt.Sprintf("List should have at most %d items after validation, not %d", limit, n),
		Ctx: map[string]any{"field_type": "List", "max_length": limit, "actual_length": n}}
}

func stringTooLong(loc []any, limit int, input any) ValidationItem {
	return ValidationItem{Type: "string_too_long", Loc: loc, Input: input,
		Msg: fmt.Sprintf("String should have at most %d character%s", limit, plural(limit)), Ctx: map[string]any{"max_length": limit}}
}
