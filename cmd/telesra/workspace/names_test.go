package workspace

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFileNamesSpelledOnlyHere: no other package builds a workspace path from a literal file
// name; they all go through Layout. (Help texts and report prose may still mention the names to
// the user; a literal that is exactly a file name is a path in the making.)
func TestFileNamesSpelledOnlyHere(t *testing.T) {
	names := map[string]bool{}
	for _, n := range []string{AssessmentFile, ScanFile, AnswersFile, AssetsFile, PlanFile, ApprovalsFile, IgnoreFile, ReportsDir} {
		names[n], names[n+BackupSuffix] = true, true
	}
	root := filepath.Join("..", "..", "..")
	here, _ := filepath.Abs(".")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if abs, _ := filepath.Abs(path); abs == here || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil && names[v] {
					t.Errorf("%s: the workspace file name %q is spelled outside package workspace (use workspace.Layout)", fset.Position(lit.Pos()), v)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
