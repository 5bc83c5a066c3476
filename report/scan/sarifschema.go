package scan

import (
	"bytes"
	"fmt"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ValidateSARIFFile validates a SARIF document against a SARIF 2.1.0 JSON Schema file (the
// OASIS schema, kept in testdata/schemas). Tests of every package that writes SARIF use it.
func ValidateSARIFFile(schemaPath string, data []byte) error {
	schemaText, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaText))
	if err != nil {
		return fmt.Errorf("SARIF schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		return err
	}
	sch, err := c.Compile(url)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("SARIF output is not JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("SARIF output does not validate against SARIF 2.1.0: %w", err)
	}
	return nil
}
