// Package update is `telesra feeds update`: the one place telesra reaches beyond a declared
// scope, and only when that command is run. It downloads CISA's KEV catalog and the endoflife.date
// documents of the products the patch family maps, over HTTPS from their official endpoints or a
// mirror (or reads them from a directory on an air-gapped site), verifies them (CISA's schema,
// counts, dates not going backwards) and installs them beside the embedded knowledge base through
// the caller's atomic writer: all of them or, when one fails verification, none.
package update

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/telesra/telesra/checks/patch"
)

// The official endpoints.
const (
	// KEVURL is the JSON feed linked from CISA's Known Exploited Vulnerabilities Catalog page.
	KEVURL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
	// EndOfLifeURL is endoflife.date's v1 API product document; {product} is replaced.
	EndOfLifeURL = "https://endoflife.date/api/v1/products/{product}/"
)

// Layout of a mirror or --from-dir directory: the layout of the feeds' own repositories
// (cisagov/kev-data, endoflife-date/endoflife.date), so a plain copy of them serves.
const (
	mirrorKEV = "kev/known_exploited_vulnerabilities.json"
	mirrorEOL = "endoflife/products/{product}"
)

// Defaults bounding each download.
const (
	DefaultTimeout  = 60 * time.Second
	DefaultMaxBytes = 32 << 20 // CISA's catalog is about 1.3 MB
)

// Options say where the feeds come from and how the result is installed.
type Options struct {
	KEVURL       string // default KEVURL
	EndOfLifeURL string // with {product}; default EndOfLifeURL
	// Mirror is a base URL laid out as kev/known_exploited_vulnerabilities.json and
	// endoflife/products/PRODUCT.md (or .json); it replaces both URLs.
	Mirror string
	// FromDir reads the same layout from a directory instead of the network.
	FromDir  string
	CAFile   string // extra trusted CA certificates (PEM) for a mirror with an internal CA
	Timeout  time.Duration
	MaxBytes int64
	Now      time.Time
	// Products are the endoflife.date products to fetch; nil: every product the knowledge base maps.
	Products []string
	// Write installs a file: the workspace's atomic 0600 writer.
	Write func(path string, data []byte) error
}

// Change is what one source's update changed.
type Change struct {
	Source        string `json:"source"` // "kev" or the endoflife.date product
	From          string `json:"from"`   // URL or file read
	Path          string `json:"path"`   // the knowledge-base copy installed
	DateBefore    string `json:"date_before,omitempty"`
	DateAfter     string `json:"date_after"`
	EntriesBefore int    `json:"entries_before"`
	EntriesAfter  int    `json:"entries_after"`
}

// Result is what an update did.
type Result struct {
	Changes []Change `json:"changes"`
	// Skipped lists products no document was found for, with the reason.
	Skipped []string `json:"skipped,omitempty"`
}

// errNotFound is a document the source does not have.
var errNotFound = errors.New("not found")

// Run downloads, verifies and installs the feeds into the knowledge-base directory dir.
func Run(ctx context.Context, dir string, o Options) (*Result, error) {
	if dir == "" {
		return nil, errors.New("feeds update: no knowledge-base directory")
	}
	if o.Write == nil {
		return nil, errors.New("feeds update: no writer given")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	fetch, err := fetcher(o)
	if err != nil {
		return nil, err
	}
	products := o.Products
	if products == nil {
		if products, err = patch.EndOfLifeProducts(); err != nil {
			return nil, err
		}
	}
	before, err := sourcesByFile(dir)
	if err != nil {
		return nil, err
	}

	// Download and verify everything first; install only when every document passed.
	type staged struct {
		change Change
		data   []byte
	}
	var stage []staged
	res := &Result{}
	verify := func(source, from string, data []byte, kind patch.FeedKind, product string) error {
		var out []byte
		var path string
		capture := func(p string, b []byte) error { path, out = p, b; return nil }
		imp, err := patch.ImportFeed(dir, from, data, patch.ImportOptions{Kind: kind, Product: product, Now: o.Now, Write: capture})
		if err != nil {
			return err
		}
		after, err := patch.SnapshotOf(path, out)
		if err != nil {
			return err
		}
		c := Change{Source: source, From: from, Path: path, DateAfter: after.Date, EntriesAfter: imp.Entries}
		if old, ok := before[path]; ok {
			c.DateBefore, c.EntriesBefore = old.Date, old.Entries
			if after.Date < old.Date {
				return fmt.Errorf("feeds update: %s is dated %s, older than the installed copy (%s): refusing to go backwards", from, after.Date, old.Date)
			}
			// A catalog that lost more than a tenth of its entries is a bad download, not news.
			if source == "kev" && imp.Entries < old.Entries*9/10 {
				return fmt.Errorf("feeds update: %s has %d entries, the installed copy %d: refusing a catalog that shrank", from, imp.Entries, old.Entries)
			}
		}
		stage = append(stage, staged{change: c, data: out})
		return nil
	}

	kevFrom, kevData, err := fetch(ctx, "kev", "")
	if err != nil {
		return nil, fmt.Errorf("feeds update: KEV catalog: %w", err)
	}
	if err := verify("kev", kevFrom, kevData, patch.FeedKEV, ""); err != nil {
		return nil, err
	}
	for _, p := range products {
		from, data, err := fetch(ctx, "endoflife", p)
		if errors.Is(err, errNotFound) {
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s: %s not found", p, from))
			continue
		} else if err != nil {
			return nil, fmt.Errorf("feeds update: endoflife.date %s: %w", p, err)
		}
		// The product asked for names the document: the API's own name may be the site's path.
		if err := verify(p, from, data, patch.FeedEndOfLife, p); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("feeds update: %w", err)
	}
	for _, s := range stage {
		if err := o.Write(s.change.Path, s.data); err != nil {
			return res, fmt.Errorf("feeds update: install %s: %w", s.change.Path, err)
		}
		res.Changes = append(res.Changes, s.change)
	}
	return res, nil
}

// sourcesByFile indexes the imported copies in dir by path.
func sourcesByFile(dir string) (map[string]patch.Source, error) {
	srcs, err := patch.KnowledgeBaseInfo(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]patch.Source{}
	for _, s := range srcs {
		if s.Origin == patch.OriginImported {
			out[s.File] = s
		}
	}
	return out, nil
}

// fetchFunc returns one document (kind "kev", or "endoflife" with its product) and where it came
// from.
type fetchFunc func(ctx context.Context, kind, product string) (string, []byte, error)

func fetcher(o Options) (fetchFunc, error) {
	if o.FromDir != "" {
		if o.Mirror != "" {
			return nil, errors.New("feeds update: --from-dir and --mirror exclude each other")
		}
		return dirFetcher(o), nil
	}
	client, err := httpClient(o)
	if err != nil {
		return nil, err
	}
	kevURL, eolURLs := o.KEVURL, []string{o.EndOfLifeURL}
	if kevURL == "" {
		kevURL = KEVURL
	}
	if eolURLs[0] == "" {
		eolURLs[0] = EndOfLifeURL
	}
	if o.Mirror != "" {
		base := strings.TrimSuffix(o.Mirror, "/") + "/"
		kevURL = base + mirrorKEV
		eolURLs = []string{base + mirrorEOL + ".json", base + mirrorEOL + ".md"}
	}
	for _, u := range append([]string{kevURL}, eolURLs...) {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "https" || pu.Host == "" {
			return nil, fmt.Errorf("feeds update: %q is not an https URL", u)
		}
	}
	return func(ctx context.Context, kind, product string) (string, []byte, error) {
		if kind == "kev" {
			data, err := get(ctx, client, kevURL, o)
			return kevURL, data, err
		}
		var u string
		for _, tmpl := range eolURLs {
			u = strings.ReplaceAll(tmpl, "{product}", url.PathEscape(product))
			data, err := get(ctx, client, u, o)
			if errors.Is(err, errNotFound) {
				continue
			}
			return u, data, err
		}
		return u, nil, errNotFound
	}, nil
}

// httpClient trusts the system roots plus --ca-file, follows redirects only to https, and never
// goes through a proxy the environment names: the user chose the endpoint.
func httpClient(o Options) (*http.Client, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("feeds update: --ca-file: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("feeds update: --ca-file %s: no PEM certificate", o.CAFile)
		}
	}
	tr := &http.Transport{
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		Proxy:                 nil,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: not https", req.URL.Redacted())
			}
			if len(via) >= 5 {
				return errors.New("more than 5 redirects")
			}
			return nil
		},
	}, nil
}

// get downloads one document, bounded in size and (through the client) in time.
func get(ctx context.Context, client *http.Client, u string, o Options) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, text/markdown;q=0.9, */*;q=0.1")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, errNotFound
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s: HTTP %s", u, resp.Status)
	}
	return readBounded(resp.Body, u, o.MaxBytes)
}

func readBounded(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes: refused", name, limit)
	}
	return data, nil
}

// dirFetcher reads the mirror layout from a directory (an air-gapped site's copy).
func dirFetcher(o Options) fetchFunc {
	open := func(path string) ([]byte, error) {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errNotFound
		} else if err != nil {
			return nil, err
		}
		defer f.Close()
		return readBounded(f, path, o.MaxBytes)
	}
	return func(_ context.Context, kind, product string) (string, []byte, error) {
		if kind == "kev" {
			p := filepath.Join(o.FromDir, filepath.FromSlash(mirrorKEV))
			data, err := open(p)
			return p, data, err
		}
		var p string
		for _, ext := range []string{".json", ".md"} {
			p = filepath.Join(o.FromDir, filepath.FromSlash(strings.ReplaceAll(mirrorEOL, "{product}", product))+ext)
			data, err := open(p)
			if errors.Is(err, errNotFound) {
				continue
			}
			return p, data, err
		}
		return p, nil, errNotFound
	}
}
