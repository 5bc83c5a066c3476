package report

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAllFormatsSmoke(t *testing.T) {
	dir := os.Getenv("TELESRA_REPORT_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	r := fixtureReport(t, nil)
	for _, f := range Formats() {
		for _, o := range f.Outputs {
			fh, err := os.Create(filepath.Join(dir, o.File))
			if err != nil {
				t.Fatal(err)
			}
			if err := o.Write(fh, r); err != nil {
				t.Fatalf("%s: %v", o.File, err)
			}
			fh.Close()
		}
	}
}
