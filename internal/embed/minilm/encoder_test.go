package minilm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
)

func TestEncoder_Info(t *testing.T) {
	t.Parallel()
	want := docmodel.EmbeddingModel{Provider: "minilm", Model: "all-MiniLM-L6-v2", Dims: 384}
	if got := encoder(t).Info(); got != want {
		t.Errorf("Info = %+v, want %+v", got, want)
	}
}

func cosine(a, b []float32) float64 {
	var d float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
	}
	return d
}

// TestEmbed_Properties checks what callers rely on: unit length, a
// batch's vectors equal to single calls', a paraphrase nearer than an
// unrelated text, and truncation at MaxTokens.
func TestEmbed_Properties(t *testing.T) {
	t.Parallel()
	e := encoder(t)
	ctx := context.Background()
	long := strings.Repeat("The daemon reads its configuration file at start-up. ", 40)
	texts := []string{"remove a directory and its files", "delete a folder recursively", "the weather in Tokyo is sunny", "", long, long + " and then something else entirely"}
	batch, err := e.Embed(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != len(texts) {
		t.Fatalf("%d vectors for %d texts", len(batch), len(texts))
	}
	for i, v := range batch {
		if len(v) != Dims {
			t.Fatalf("vector %d has %d dims", i, len(v))
		}
		if n := cosine(v, v); math.Abs(n-1) > 1e-5 {
			t.Errorf("vector %d: squared norm %.7f", i, n)
		}
		one, err := e.Embed(ctx, texts[i:i+1])
		if err != nil {
			t.Fatal(err)
		}
		if c := cosine(v, one[0]); c < 1-1e-6 {
			t.Errorf("text %d: batch and single vectors differ (cosine %.7f)", i, c)
		}
	}
	if near, far := cosine(batch[0], batch[1]), cosine(batch[0], batch[2]); near < far+0.2 {
		t.Errorf("paraphrase cosine %.3f not well above unrelated %.3f", near, far)
	}
	if e.CountTokens(long) <= MaxTokens {
		t.Fatalf("long text has only %d tokens", e.CountTokens(long))
	}
	if c := cosine(batch[4], batch[5]); c < 1-1e-6 {
		t.Errorf("text past %d tokens changed the vector (cosine %.7f)", MaxTokens, c)
	}
}

func TestEmbed_Cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	vs, err := encoder(t).Embed(ctx, []string{"a", "b", "c"})
	if !errors.Is(err, context.Canceled) || vs != nil {
		t.Errorf("Embed on a cancelled context = %d vectors, %v", len(vs), err)
	}
}

// header returns the safetensors file with its JSON header replaced by
// edit's result.
func withHeader(t *testing.T, edit func(string) string) []byte {
	t.Helper()
	n := binary.LittleEndian.Uint64(modelFile)
	h := edit(string(modelFile[8 : 8+n]))
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, uint64(len(h)))
	b.WriteString(h)
	b.Write(modelFile[8+n:])
	return b.Bytes()
}

func TestNew_RefusesBadFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                     string
		model, tokenizer, config []byte
	}{
		{"empty model", []byte{}, tokenizerFile, configFile},
		{"truncated model", modelFile[:len(modelFile)-2], tokenizerFile, configFile},
		{"renamed tensor", withHeader(t, func(h string) string {
			return strings.Replace(h, `"encoder.layer.5.output.dense.bias"`, `"encoder.layer.5.output.dense.bias2"`, 1)
		}), tokenizerFile, configFile},
		{"config of another model", modelFile, tokenizerFile, bytes.Replace(configFile, []byte(`"num_hidden_layers": 6`), []byte(`"num_hidden_layers": 12`), 1)},
		{"config not JSON", modelFile, tokenizerFile, []byte("{")},
		{"cased tokenizer", modelFile, bytes.Replace(tokenizerFile, []byte(`"lowercase":true`), []byte(`"lowercase":false`), 1), configFile},
		{"tokenizer not JSON", modelFile, tokenizerFile[:100], configFile},
	}
	for _, tc := range cases {
		if _, err := newFromFiles(tc.model, tc.tokenizer, tc.config); !errors.Is(err, ErrBadModel) {
			t.Errorf("%s: err = %v, want ErrBadModel", tc.name, err)
		}
	}
}

// FuzzParseWeights feeds arbitrary files to the safetensors reader: an
// error, never a panic or a huge allocation.
func FuzzParseWeights(f *testing.F) {
	n := binary.LittleEndian.Uint64(modelFile)
	f.Add(modelFile[:8+n]) // the header without its data
	f.Add([]byte{})
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":{}}       "))
	f.Add([]byte("\x40\x00\x00\x00\x00\x00\x00\x00{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}    \x00\x3c\x00\x3c"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := parseWeights(b); !errors.Is(err, ErrBadModel) {
			t.Fatalf("parseWeights(%d bytes) = %v, want ErrBadModel", len(b), err)
		}
	})
}

func BenchmarkEmbed(b *testing.B) {
	e := encoder(b)
	for _, words := range []int{10, 100, 200} {
		text := strings.Repeat("configuration ", words)
		b.Run(fmt.Sprintf("tokens=%d", len(e.Tokenizer().Encode(text, MaxTokens))), func(b *testing.B) {
			for b.Loop() {
				if _, err := e.Embed(context.Background(), []string{text}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
