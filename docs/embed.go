// This folder holds the Swagger 2.0 document that swag generates from the
// httpapi annotations (make docs writes docs.go, swagger.json and
// swagger.yaml here; this file is hand-written and survives regeneration).

package docs

import _ "embed"

// SwaggerJSON is the generated swagger.json, embedded so the server can
// convert it to OpenAPI 3 without swag's template machinery (whose
// ReadDoc is not safe for concurrent use).
//
//go:embed swagger.json
var SwaggerJSON []byte
