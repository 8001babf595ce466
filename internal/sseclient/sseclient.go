package sseclient

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// DefaultMaxLine is the line-length cap used when NewReader gets zero.
const DefaultMaxLine = 1 << 20

// ErrLineTooLong is returned by Next when a line, or the data of one
// event (its data lines joined), exceeds the Reader's cap.
var ErrLineTooLong = errors.New("sseclient: line or event too long")

// Event is one dispatched Server-Sent Event. Type is "message" when the
// stream named none. ID is the last event ID seen on the stream.
type Event struct {
	Type string
	Data string
	ID   string
}

// Reader reads events from a text/event-stream body.
type Reader struct {
	br      *bufio.Reader
	maxLine int
	started bool
	lastID  string
	line    []byte
}

// NewReader returns a Reader over r; maxLine caps one line in bytes, and
// the data of one event as well (zero means DefaultMaxLine): without the
// second cap, data lines that never meet a blank line would grow an event
// without end.
func NewReader(r io.Reader, maxLine int) *Reader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &Reader{br: bufio.NewReader(r), maxLine: maxLine}
}

// Next returns the next event. At the end of the stream it returns io.EOF;
// an event not terminated by a blank line before the end is discarded, as
// the standard requires. Other errors are the underlying reader's, or
// ErrLineTooLong.
func (r *Reader) Next() (Event, error) {
	var data strings.Builder
	hasData := false
	typ := ""
	for {
		line, err := r.readLine()
		if err != nil {
			return Event{}, err
		}
		if len(line) == 0 {
			if hasData {
				ev := Event{Type: typ, Data: strings.TrimSuffix(data.String(), "\n"), ID: r.lastID}
				if ev.Type == "" {
					ev.Type = "message"
				}
				return ev, nil
			}
			typ = ""
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value := string(line), ""
		if i := strings.IndexByte(field, ':'); i >= 0 {
			field, value = field[:i], field[i+1:]
			value = strings.TrimPrefix(value, " ")
		}
		switch field {
		case "data":
			if data.Len()+len(value) >= r.maxLine {
				return Event{}, ErrLineTooLong
			}
			data.WriteString(value)
			data.WriteByte('\n')
			hasData = true
		case "event":
			typ = value
		case "id":
			if !strings.ContainsRune(value, 0) {
				r.lastID = value
			}
		}
	}
}

// readLine returns the next line without its terminator. A final line
// without terminator is returned before io.EOF.
func (r *Reader) readLine() ([]byte, error) {
	r.line = r.line[:0]
	for {
		b, err := r.br.ReadByte()
		if err != nil {
			if err == io.EOF && len(r.line) > 0 {
				// Unterminated last line: the event cannot be dispatched.
				return nil, io.EOF
			}
			return nil, err
		}
		if !r.started {
			r.started = true
			if b == 0xEF {
				if bom, _ := r.br.Peek(2); len(bom) == 2 && bom[0] == 0xBB && bom[1] == 0xBF {
					_, _ = r.br.Discard(2) // cannot fail: Peek saw 2 bytes
					continue
				}
			}
		}
		switch b {
		case '\n':
			return r.line, nil
		case '\r':
			if nb, err := r.br.Peek(1); err == nil && nb[0] == '\n' {
				_, _ = r.br.Discard(1) // cannot fail: Peek saw the byte
			}
			return r.line, nil
		}
		if len(r.line) >= r.maxLine {
			return nil, ErrLineTooLong
		}
		r.line = append(r.line, b)
	}
}
