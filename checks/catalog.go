package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/telesra/telesra/templates/hipaa"
)

// CatalogEntry is one check as `telesra checks list --format json` prints it.
type CatalogEntry struct {
	ID          string   `json:"id"`
	Family      string   `json:"family"`
	Title       string   `json:"title"`
	Severity    Severity `json:"severity"`
	HIPAA       []string `json:"hipaa"`
	Description string   `json:"description"`
	Connections string   `json:"connections"`
	Probes      []string `json:"probes"`
	Remediation string   `json:"remediation"`
	References  []string `json:"references,omitempty"`
}

// Catalog lists every check.
func (r *Registry) Catalog() []CatalogEntry {
	var out []CatalogEntry
	for _, c := range r.Checks() {
		out = append(out, CatalogEntry{
			ID: c.ID, Family: c.Family, Title: c.Title, Severity: c.Severity, HIPAA: c.HIPAA,
			Description: c.Description, Connections: c.Connections, Probes: probeIDs(c.Probes),
			Remediation: c.Remediation, References: c.References,
		})
	}
	return out
}

// Markdown renders the catalog as docs/checks.md: the same text `telesra checks list --format
// markdown` prints, kept in step with the code by a test.
func (r *Registry) Markdown() string {
	var b strings.Builder
	b.WriteString("# telesra checks\n\n")
	b.WriteString("<!-- Generated from the check registry: `telesra checks list --format markdown > docs/checks.md`. " +
		"A test fails when this file and the code disagree. -->\n\n")
	fmt.Fprintf(&b, "%d checks in %d families. Every endpoint first goes through service detection (probe `service`); "+
		"a check then runs only on the services it applies to. Probes run at most once per endpoint and are shared by the checks "+
		"that need them, so the connection counts below are per probe, not per check. A check whose probe failed is reported as an "+
		"error attempt with its reason, never as a pass.\n\n", len(r.Checks()), len(r.families))
	b.WriteString("| Family | Checks | Covers |\n|---|---:|---|\n")
	for _, f := range r.families {
		fmt.Fprintf(&b, "| [%s](#%s) | %d | %s |\n", f.Name, anchor(f.Name+" "+f.Title), len(f.Checks), f.Description)
	}
	b.WriteString("\n## Probes\n\n| Probe | What it sends | Connections |\n|---|---|---|\n")
	for _, p := range append([]ProbeRef{ServiceProbe}, r.probes()...) {
		i := p.Info()
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", i.ID, i.Description, i.Connections)
	}
	for _, f := range r.families {
		fmt.Fprintf(&b, "\n## %s %s\n\n%s\n", f.Name, f.Title, f.Description)
		for _, c := range f.Checks {
			fmt.Fprintf(&b, "\n### `%s`\n\n**%s.** %s\n\n", c.ID, c.Title, c.Description)
			fmt.Fprintf(&b, "- Severity: %s (at most)\n", c.Severity)
			var cites []string
			for _, h := range c.HIPAA {
				if ct, ok := hipaa.LookupCitation(h); ok {
					cites = append(cites, fmt.Sprintf("%s %s (%s)", h, ct.Name, ct.Kind))
				}
			}
			fmt.Fprintf(&b, "- HIPAA: %s\n", strings.Join(cites, "; "))
			fmt.Fprintf(&b, "- Probes: %s\n", strings.Join(probeIDs(c.Probes), ", "))
			if c.Connections != "" {
				fmt.Fprintf(&b, "- Connections: %s\n", c.Connections)
			}
			fmt.Fprintf(&b, "- Remediation: %s\n", c.Remediation)
			if len(c.References) > 0 {
				fmt.Fprintf(&b, "- References: %s\n", strings.Join(c.References, ", "))
			}
		}
	}
	return b.String()
}

// probes lists the probes of every family, family by family, each once.
func (r *Registry) probes() []ProbeRef {
	var out []ProbeRef
	for _, f := range r.families {
		for _, p := range f.Probes() {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func probeIDs(ps []ProbeRef) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Info().ID
	}
	return out
}

// anchor is the GitHub heading anchor of a title.
func anchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
