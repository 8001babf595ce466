package embed

import "github.com/vendor0919/api/internal/httpjson"

// maxResponseBody caps a 2xx embeddings response (96 x 3072 floats as
// JSON is about 6 MiB).
const maxResponseBody = 64 << 20

// httpErrors are the sentinels the HTTP embedders' clients wrap.
var httpErrors = httpjson.Errors{Config: ErrConfig, Upstream: ErrUpstream, BadResponse: ErrBadResponse}
