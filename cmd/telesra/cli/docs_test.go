package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cliDocs = "../../../docs/cli"

// docs/cli is the command tree in Markdown: generated (go test ./cmd/telesra/cli -run
// CLIDocs -update) and kept current by this test.
func TestCLIDocsAreCurrent(t *testing.T) {
	pages, err := MarkdownPages(NewCmdRoot(testFactory(new(bytes.Buffer), new(bytes.Buffer))))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		old, _ := filepath.Glob(filepath.Join(cliDocs, "telesra*.md"))
		for _, f := range old {
			os.Remove(f)
		}
		if err := os.MkdirAll(cliDocs, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range pages {
			if err := os.WriteFile(filepath.Join(cliDocs, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	have, _ := filepath.Glob(filepath.Join(cliDocs, "telesra*.md"))
	if len(have) != len(pages) {
		t.Errorf("docs/cli has %d pages, the command tree %d (run with -update)", len(have), len(pages))
	}
	for name, data := range pages {
		got, err := os.ReadFile(filepath.Join(cliDocs, name))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("docs/cli/%s is not current (run go test ./cmd/telesra/cli -run CLIDocs -update)", name)
		}
	}
	for _, want := range []string{"telesra_scan.md", "telesra_risks_list.md", "telesra_man.md"} {
		if _, ok := pages[want]; !ok {
			t.Errorf("no page %s", want)
		}
	}
}

func TestManWritesPages(t *testing.T) {
	dir := t.TempDir()
	if r := run(t, nil, "man", dir); r.code != 0 {
		t.Fatalf("man: exit %d %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "telesra-scan.1"))
	if err != nil || !strings.Contains(string(data), ".TH \"TELESRA\" \"1\"") || !strings.Contains(string(data), "fail-on") {
		t.Fatalf("telesra-scan.1: %v\n%.300s", err, data)
	}
	if r := run(t, nil, "man", dir); r.code != ExitUsage {
		t.Errorf("man into a directory with pages, without --force: exit %d", r.code)
	}
	file := filepath.Join(dir, "telesra.1")
	if r := run(t, nil, "man", file); r.code != ExitUsage {
		t.Errorf("man into a file: exit %d", r.code)
	}
}

// TestManWritesAPagePerCommand: `telesra man DIR` writes one page per command the Markdown docs
// cover, each a man page of section 1, 0600 in the directory it creates.
func TestManWritesAPagePerCommand(t *testing.T) {
	md, err := MarkdownPages(NewCmdRoot(testFactory(new(bytes.Buffer), new(bytes.Buffer))))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "man1")
	if r := run(t, nil, "man", dir); r.code != 0 {
		t.Fatalf("man: exit %d\n%s", r.code, r.stderr)
	}
	// Every command of the docs has its page (cobra adds completion's commands when it runs).
	for name := range md {
		page := strings.ReplaceAll(strings.TrimSuffix(name, ".md"), "_", "-") + ".1"
		if _, err := os.Stat(filepath.Join(dir, page)); err != nil {
			t.Errorf("no man page %s for %s", page, name)
		}
	}
	scan, err := os.ReadFile(filepath.Join(dir, "telesra-scan.1"))
	if err != nil || !bytes.Contains(scan, []byte(`.TH "TELESRA" "1"`)) || !bytes.Contains(scan, []byte("shard")) {
		t.Errorf("telesra-scan.1: %v\n%.300s", err, scan)
	}
	if fi, err := os.Stat(filepath.Join(dir, "telesra-scan.1")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("telesra-scan.1 mode: %v %v", fi, err)
	}
}
