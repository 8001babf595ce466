package texmex

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	f := []float32{1, 2, 3, -4.5, 0, 1e-9}
	var buf bytes.Buffer
	if err := WriteFvecs(&buf, f, 3); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 2*(4+12) {
		t.Fatalf("size %d", buf.Len())
	}
	got, dim, err := ReadFvecs(&buf)
	if err != nil || dim != 3 || len(got) != len(f) {
		t.Fatalf("got %v %d %v", got, dim, err)
	}
	for i := range f {
		if got[i] != f[i] {
			t.Fatalf("value %d: %v != %v", i, got[i], f[i])
		}
	}
	iv := []int32{7, -1, 3, 4}
	buf.Reset()
	if err := WriteIvecs(&buf, iv, 2); err != nil {
		t.Fatal(err)
	}
	gi, dim, err := ReadIvecs(&buf)
	if err != nil || dim != 2 || len(gi) != 4 || gi[1] != -1 {
		t.Fatalf("got %v %d %v", gi, dim, err)
	}
}

func TestEmpty(t *testing.T) {
	v, d, err := ReadFvecs(bytes.NewReader(nil))
	if err != nil || d != 0 || len(v) != 0 {
		t.Fatalf("got %v %d %v", v, d, err)
	}
}

func TestErrors(t *testing.T) {
	var buf bytes.Buffer
	WriteFvecs(&buf, []float32{1, 2, 3, 4}, 2)
	good := buf.Bytes()
	cases := map[string]struct {
		data []byte
		want string
	}{
		"truncated value":  {good[:len(good)-1], "at byte 23: vector 1 truncated"},
		"truncated dim":    {append(append([]byte{}, good...), 2, 0), "at byte 26: vector 2 truncated"},
		"zero dim":         {[]byte{0, 0, 0, 0}, "at byte 0"},
		"negative dim":     {[]byte{0xff, 0xff, 0xff, 0xff}, "dimension -1"},
		"dimension change": {append(append([]byte{}, good...), 3, 0, 0, 0), "at byte 24: vector 2 has dimension 3"},
	}
	for name, c := range cases {
		_, _, err := ReadFvecs(bytes.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", name, err, c.want)
		}
	}
	_, _, err := ReadFvecs(bytes.NewReader(good[:len(good)-1]))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncation should wrap io.ErrUnexpectedEOF: %v", err)
	}
	if err := WriteFvecs(io.Discard, []float32{1, 2, 3}, 2); err == nil {
		t.Error("ragged write accepted")
	}
}

func TestFiles(t *testing.T) {
	p := t.TempDir() + "/x.fvecs"
	if err := WriteFvecsFile(p, []float32{1, 2}, 2); err != nil {
		t.Fatal(err)
	}
	v, d, err := ReadFvecsFile(p)
	if err != nil || d != 2 || len(v) != 2 {
		t.Fatalf("%v %d %v", v, d, err)
	}
	p = t.TempDir() + "/x.ivecs"
	if err := WriteIvecsFile(p, []int32{1, 2}, 1); err != nil {
		t.Fatal(err)
	}
	iv, d, err := ReadIvecsFile(p)
	if err != nil || d != 1 || len(iv) != 2 {
		t.Fatalf("%v %d %v", iv, d, err)
	}
	if _, _, err := ReadFvecsFile(p + ".missing"); err == nil {
		t.Error("missing file read")
	}
}

func FuzzReadFvecs(f *testing.F) {
	var buf bytes.Buffer
	WriteFvecs(&buf, []float32{1, 2, 3, 4}, 2)
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, d, err := ReadFvecs(bytes.NewReader(data))
		if err != nil {
			return
		}
		if d == 0 && len(v) != 0 || d != 0 && len(v)%d != 0 {
			t.Fatalf("ragged result: %d values, dim %d", len(v), d)
		}
		var out bytes.Buffer
		if d > 0 {
			if err := WriteFvecs(&out, v, d); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), data) {
				t.Fatal("round trip differs")
			}
		}
	})
}
