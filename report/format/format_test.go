package format

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

type opts struct{ prefix string }

func text(o opts) Writer[string] {
	return WriterFunc[string](func(w io.Writer, d string) error {
		_, err := io.WriteString(w, o.prefix+d)
		return err
	})
}

var registry = Formats[string, opts]{
	{Name: "table", Description: "a table", Ext: ".txt", New: text},
	{Name: Markdown, Aliases: MarkdownAliases, Description: "Markdown", Ext: ".md", New: text},
	{Name: "junit", Aliases: []string{"xml"}, Description: "JUnit", Ext: ".xml", New: text},
	{Name: "oscal", Description: "OSCAL", Ext: ".json", File: "ar.json", New: text,
		Companions: []Format[string, opts]{{Name: "oscal-poam", Ext: ".json", File: "poam.json", New: text}}},
}

func TestLookupByNameOrAlias(t *testing.T) {
	if err := registry.Check(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"markdown": "markdown", "md": "markdown", " MD ": "markdown", "Table": "table", "xml": "junit",
		"oscal": "oscal", "oscal-poam": "", "docx": "", "": "",
	} {
		f, ok := registry.Lookup(name)
		if ok != (want != "") || f.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, f.Name, ok, want)
		}
	}
	if got := strings.Join(registry.Names(), ","); got != "table,markdown,junit,oscal" {
		t.Errorf("Names() = %s", got)
	}
}

func TestNewPassesOptions(t *testing.T) {
	w, err := registry.New("md", opts{prefix: "> "})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := w.Write(&b, "hello"); err != nil || b.String() != "> hello" {
		t.Errorf("wrote %q, %v", b.String(), err)
	}
	_, err = registry.New("docx", opts{})
	if err == nil || err.Error() != `unknown format "docx" (want one of table, markdown, junit, oscal)` {
		t.Errorf("unknown format: %v", err)
	}
}

func TestForFileAndFiles(t *testing.T) {
	for path, want := range map[string]string{"r.XML": "junit", "out/summary.md": "markdown", "r.json": "oscal", "r": "", "r.sarif": ""} {
		if f, ok := registry.ForFile(path); ok != (want != "") || f.Name != want {
			t.Errorf("ForFile(%q) = %q, %v; want %q", path, f.Name, ok, want)
		}
	}
	o, _ := registry.Lookup("oscal")
	var files []string
	for _, f := range o.Files() {
		files = append(files, f.File)
	}
	if strings.Join(files, ",") != "ar.json,poam.json" {
		t.Errorf("oscal files %v", files)
	}
}

func TestCheckRejectsBrokenRegistries(t *testing.T) {
	for name, tc := range map[string]struct {
		fs   Formats[string, opts]
		want string
	}{
		"upper case": {Formats[string, opts]{{Name: "Table", New: text}}, "not lower case"},
		"shared alias": {Formats[string, opts]{{Name: "a", Aliases: []string{"x"}, New: text}, {Name: "b", Aliases: []string{"x"}, New: text}},
			`"a" and "b" both answer to "x"`},
		"md as the name": {Formats[string, opts]{{Name: "md", Ext: ".md", New: text}}, "writes Markdown"},
		"no writer":      {Formats[string, opts]{{Name: "a"}}, "no writer"},
		"file and ext":   {Formats[string, opts]{{Name: "a", Ext: ".json", File: "a.xml", New: text}}, "does not end in"},
	} {
		err := tc.fs.Check()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}
