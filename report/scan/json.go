package scan

import (
	"encoding/json"
	"io"

	"github.com/telesra/telesra/checks"
)

// JSON writes the canonical result document (schema: templates/schemas/scan-result.schema.json).
type JSON struct{}

func (JSON) Write(w io.Writer, r *checks.Result) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
