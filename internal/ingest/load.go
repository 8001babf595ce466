package ingest

import "github.com/vendor0919/api/internal/chunk"

// Skipped is a document the build left out because it could not be read
// or parsed (chunk.Loader.LoadDir's failures).
type Skipped = chunk.Failure
