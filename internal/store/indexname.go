package store

import (
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/vendor0919/api/internal/cliflag"
)

// DefaultIndexName is LangChain's default index_name: FAISS.save_local
// writes index.faiss and index.pkl unless told otherwise.
const DefaultIndexName = "index"

// MaxIndexNameLen bounds an index name in bytes, well below the 255 bytes
// file systems and S3 keys allow for the name plus ".faiss".
const MaxIndexNameLen = 128

// CheckIndexName reports whether name can be a LangChain folder's
// index_name (save_local(path, index_name=...)): a plain file stem, not
// empty, at most MaxIndexNameLen bytes, without slashes, "..", control
// characters or a leading dot. The error says which rule name breaks.
func CheckIndexName(name string) error {
	switch {
	case name == "":
		return errors.New("must not be empty")
	case len(name) > MaxIndexNameLen:
		return fmt.Errorf("is %d bytes, at most %d", len(name), MaxIndexNameLen)
	case strings.ContainsAny(name, `/\`):
		return errors.New("must be a file stem, without slashes")
	case strings.Contains(name, ".."):
		return errors.New(`must not contain ".."`)
	case strings.HasPrefix(name, "."):
		return errors.New("must not start with a dot")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errors.New("must not contain control characters")
	}
	return nil
}

// LangChainFiles returns the two files of the LangChain folder saved with
// index name name ("" is DefaultIndexName): NAME.faiss and NAME.pkl.
func LangChainFiles(name string) (index, docs string) {
	if name == "" {
		name = DefaultIndexName
	}
	return name + ".faiss", name + ".pkl"
}

// otherLangChainNames returns the index names, other than skip, for which
// names hold both NAME.faiss and NAME.pkl, sorted; names in subfolders
// (S3 keys with a slash) do not count.
func otherLangChainNames(names []string, skip string) []string {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	var found []string
	for _, n := range names {
		stem, ok := strings.CutSuffix(n, ".faiss")
		if !ok || stem == skip || CheckIndexName(stem) != nil {
			continue
		}
		if _, pkl := LangChainFiles(stem); set[pkl] {
			found = append(found, stem)
		}
	}
	sort.Strings(found)
	return found
}

// indexNameHint says how to open the LangChain folders found under other
// index names, for the error of a folder without the configured one.
func indexNameHint(found []string) string {
	if len(found) == 1 {
		idx, pkl := LangChainFiles(found[0])
		return fmt.Sprintf("; found %s + %s: set VECTORSTORE_INDEX_NAME=%s (vectorstore: --index-name %s)", idx, pkl, found[0], found[0])
	}
	return fmt.Sprintf("; found LangChain folders named %s: set VECTORSTORE_INDEX_NAME (vectorstore: --index-name) to one of them",
		strings.Join(found, ", "))
}

// FolderFlags is the option every command that reads a LangChain folder
// shares (cliflag.Options): --index-name, the folder's index_name.
type FolderFlags struct {
	// IndexName is --index-name.
	IndexName string
	// Env is VECTORSTORE_INDEX_NAME as the environment has it, the name
	// when the flag is not given, so that the tool opens the folder the
	// server would. It is checked only then.
	Env string
}

// EnvIndexName is the variable FolderFlags.Env comes from, as the server
// reads it (config.Config.VectorStoreIndexName).
const EnvIndexName = "VECTORSTORE_INDEX_NAME"

// RegisterFlags binds f to fs.
func (f *FolderFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.IndexName, "index-name", "",
		"a LangChain folder's index_name: read NAME.faiss and NAME.pkl, as save_local(path, index_name=NAME) wrote them (default: "+EnvIndexName+", else index)")
}

// Name is the index name to open: the flag's, else the environment's;
// "" is DefaultIndexName, as everywhere in this package.
func (f FolderFlags) Name() string {
	if f.IndexName != "" {
		return f.IndexName
	}
	return strings.TrimSpace(f.Env)
}

// Validate checks the name in use with CheckIndexName; its error is a
// cliflag.UsageError naming where the name came from.
func (f FolderFlags) Validate() error {
	name := f.Name()
	if name == "" {
		return nil
	}
	if err := CheckIndexName(name); err != nil {
		if f.IndexName == "" {
			return cliflag.Usagef("%s=%q (the default of --index-name): %v", EnvIndexName, name, err)
		}
		return cliflag.Usagef("--index-name %q: %v", name, err)
	}
	return nil
}
