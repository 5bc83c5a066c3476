package patch

// The knowledge base's files: their YAML shape (templates/schemas/kb.schema.json), where they
// come from (embedded, imported) and the order they load in.

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/telesra/telesra/templates"
	"github.com/telesra/telesra/templates/datafile"
)

// --- the files' shape (templates/schemas/kb.schema.json) ---

type kbDoc struct {
	Snapshot        snapshotDoc  `yaml:"snapshot"`
	Products        []productDoc `yaml:"products,omitempty"`
	Vulnerabilities []vulnDoc    `yaml:"vulnerabilities,omitempty"`
	KEV             []kevDoc     `yaml:"kev,omitempty"`
}

type snapshotDoc struct {
	Name         string   `yaml:"name"`
	Date         string   `yaml:"date"`
	Sources      []string `yaml:"sources,omitempty"`
	Notes        string   `yaml:"notes,omitempty"`
	ImportedFrom string   `yaml:"imported_from,omitempty"`
	ImportedAt   string   `yaml:"imported_at,omitempty"`
}

type productDoc struct {
	ID           string            `yaml:"id"`
	Name         string            `yaml:"name"`
	Vendor       string            `yaml:"vendor,omitempty"`
	Kind         string            `yaml:"kind,omitempty"`
	Versioning   string            `yaml:"versioning,omitempty"`
	Aliases      []string          `yaml:"aliases,omitempty"`
	Bundled      string            `yaml:"bundled,omitempty"`
	EndOfLife    string            `yaml:"endoflife,omitempty"`
	FreeExtended bool              `yaml:"free_extended,omitempty"`
	Backports    bool              `yaml:"backports,omitempty"`
	Epochs       map[string]int    `yaml:"epochs,omitempty"`
	Announces    []string          `yaml:"announces_package,omitempty"`
	Packages     map[string]string `yaml:"packages,omitempty"`
	HideVersion  string            `yaml:"hide_version,omitempty"`
	Upgrade      string            `yaml:"upgrade,omitempty"`
	Note         string            `yaml:"note,omitempty"`
	Cycles       []cycleDoc        `yaml:"cycles,omitempty"`
}

type cycleDoc struct {
	Cycle        string              `yaml:"cycle"`
	Codename     string              `yaml:"codename,omitempty"`
	Versions     string              `yaml:"versions,omitempty"`
	Min          string              `yaml:"min,omitempty"`
	Max          string              `yaml:"max,omitempty"`
	Released     string              `yaml:"released,omitempty"`
	Security     string              `yaml:"security,omitempty"`
	EOL          string              `yaml:"eol,omitempty"`
	Extended     string              `yaml:"extended,omitempty"`
	ExtendedName string              `yaml:"extended_name,omitempty"`
	Latest       string              `yaml:"latest,omitempty"`
	Note         string              `yaml:"note,omitempty"`
	EndOfLife    string              `yaml:"endoflife,omitempty"`
	Unchecked    string              `yaml:"unchecked,omitempty"`
	AsOf         string              `yaml:"as_of,omitempty"`
	Source       string              `yaml:"source,omitempty"`
	Ships        map[string][]string `yaml:"ships,omitempty"`
}

type vulnDoc struct {
	ID         string      `yaml:"id"`
	Product    string      `yaml:"product"`
	Title      string      `yaml:"title"`
	CVSS       float64     `yaml:"cvss,omitempty"`
	Vector     string      `yaml:"cvss_vector,omitempty"`
	Published  string      `yaml:"published,omitempty"`
	Condition  string      `yaml:"condition,omitempty"`
	Platform   string      `yaml:"platform,omitempty"`
	Requires   string      `yaml:"requires,omitempty"`
	Affected   []Range     `yaml:"affected,omitempty"`
	Distros    []DistroFix `yaml:"distros,omitempty"`
	References []string    `yaml:"references,omitempty"`
}

type kevDoc struct {
	CVE        string `yaml:"cve"`
	Vendor     string `yaml:"vendor,omitempty"`
	Product    string `yaml:"product,omitempty"`
	Name       string `yaml:"name,omitempty"`
	DateAdded  string `yaml:"date_added"`
	Due        string `yaml:"due,omitempty"`
	Ransomware string `yaml:"ransomware,omitempty"`
}

// kbFile is one file to load: where it is, where it came from, and its bytes.
type kbFile struct {
	name   string // shown in errors and sources
	origin string
	data   []byte
	parsed *parsedFile // embedded files are parsed once per process
}

type parsedFile struct {
	root *yaml.Node
	doc  kbDoc
}

// embeddedFiles returns the knowledge base bundled in the binary, in load order, parsed and
// validated once per process (merging copies the decoded values, so sharing them is safe).
func embeddedFiles() ([]kbFile, error) { return embedded() }

var embedded = sync.OnceValues(func() ([]kbFile, error) {
	files, err := readEmbedded()
	if err != nil {
		return nil, err
	}
	for i := range files {
		root, doc, err := decodeKBFile(files[i])
		if err != nil {
			return nil, err
		}
		files[i].parsed = &parsedFile{root: root, doc: doc}
	}
	return files, nil
})

func readEmbedded() ([]kbFile, error) {
	names, err := fs.Glob(templates.FS(), "kb/*.yaml")
	if err != nil {
		return nil, err
	}
	sortByRank(names)
	var out []kbFile
	for _, n := range names {
		data, err := templates.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, kbFile{name: "templates/" + n, origin: OriginEmbedded, data: data})
	}
	return out, nil
}

// userFiles returns the imported copies in dir, in name order; a missing dir is an empty one.
func userFiles(dir string) ([]kbFile, error) {
	if dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("knowledge base %s: %w", dir, err)
	}
	var out []kbFile
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("knowledge base: %w", err)
		}
		out = append(out, kbFile{name: p, origin: OriginImported, data: data, parsed: parsedCache.get(data)})
	}
	sort.SliceStable(out, func(i, j int) bool { return fileRank(out[i].name) < fileRank(out[j].name) })
	return out, nil
}

// fileRank orders knowledge-base files so that what a file refers to is loaded before it:
// products, then the distributions that ship them, then vulnerabilities, then KEV entries.
func fileRank(name string) int {
	base := filepath.Base(name)
	for i, prefix := range []string{"products", "eol-", "distributions", "vulnerabilities", "osv", "kev"} {
		if strings.HasPrefix(base, prefix) {
			return i
		}
	}
	return 99
}

func sortByRank(names []string) {
	sort.SliceStable(names, func(i, j int) bool {
		if ri, rj := fileRank(names[i]), fileRank(names[j]); ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
}

// parsedCache keeps the parsed, validated form of imported files by content: an import or an
// update checks that the whole knowledge base still loads, and re-validating every installed copy
// (the KEV catalog is 1,400 entries) for each of fifty documents made that quadratic.
var parsedCache = &kbCache{m: map[[32]byte]*parsedFile{}}

type kbCache struct {
	mu sync.Mutex
	m  map[[32]byte]*parsedFile
}

// maxCachedFiles bounds the cache; past it, it starts over.
const maxCachedFiles = 256

func (c *kbCache) get(data []byte) *parsedFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[sha256.Sum256(data)]
}

func (c *kbCache) put(data []byte, p *parsedFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedFiles {
		c.m = map[[32]byte]*parsedFile{}
	}
	c.m[sha256.Sum256(data)] = p
}

// decodeKBFile parses and validates one file against the schema.
func decodeKBFile(f kbFile) (*yaml.Node, kbDoc, error) {
	root, err := datafile.ParseYAML(f.name, f.data)
	if err != nil {
		return nil, kbDoc{}, err
	}
	if err := datafile.ValidateNode(f.name, root, kbSchema); err != nil {
		return nil, kbDoc{}, err
	}
	var doc kbDoc
	if err := root.Decode(&doc); err != nil {
		return nil, kbDoc{}, &datafile.FileError{File: f.name, Line: root.Line, Msg: err.Error()}
	}
	return root, doc, nil
}

// marshalKB writes a knowledge-base document as YAML.
func marshalKB(doc kbDoc) ([]byte, error) {
	return yaml.Marshal(doc)
}

// SnapshotOf reads the snapshot header of a knowledge-base file (for comparing an update's date
// with the installed copy's).
func SnapshotOf(file string, data []byte) (Source, error) {
	_, doc, err := decodeKBFile(kbFile{name: file, origin: OriginImported, data: data})
	if err != nil {
		return Source{}, err
	}
	return Source{Name: doc.Snapshot.Name, Date: doc.Snapshot.Date, File: file, Origin: OriginImported}, nil
}
