// Package templates holds telesra's embedded data: the JSON Schemas of every file telesra reads
// or writes, the knowledge base, the scoring rules and the nuclei templates. Reading input files
// is package datafile's job; the HIPAA citation table is package hipaa's.
package templates

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed schemas/*.json kb/*.yaml risk/*.yaml nuclei
var files embed.FS

// NucleiDir is the directory of the embedded FS holding telesra's nuclei templates (run by the
// web family, which is the only package that imports nuclei).
const NucleiDir = "nuclei"

// FS returns the embedded data files (read-only).
func FS() fs.FS { return files }

// ReadFile returns one embedded file by its path inside templates/.
func ReadFile(name string) ([]byte, error) { return files.ReadFile(name) }

// SchemaNames lists the embedded JSON Schemas.
func SchemaNames() []string {
	entries, _ := fs.ReadDir(files, "schemas")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// SchemaJSON returns the raw text of an embedded schema, for documentation and for tools that
// validate our outputs.
func SchemaJSON(name string) ([]byte, error) {
	if strings.Contains(name, "/") {
		return nil, fmt.Errorf("schema %q: no such schema", name)
	}
	return files.ReadFile("schemas/" + name)
}
