package checks

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Form is an HTML form as a login detector sees it.
type Form struct {
	Action      string   `json:"action"` // resolved against the page URL
	Method      string   `json:"method"`
	HasPassword bool     `json:"has_password"`
	Inputs      []string `json:"inputs"` // "type:name" of each input, cleaned
	// OneTimeCode is set when an input asks the browser for a one-time code
	// (autocomplete="one-time-code"): a sign of a second factor.
	OneTimeCode bool `json:"one_time_code,omitempty"`
}

// HTMLDoc is what checks read from a page: its title, forms and the text of its scripts and
// attributes (for product fingerprints).
type HTMLDoc struct {
	Title string
	Forms []Form
	Text  string // visible text, cleaned and cut
	Meta  map[string]string
}

// ParseHTML reads a (bounded) page. Broken HTML is parsed as a browser would.
func ParseHTML(body []byte, pageURL string) HTMLDoc {
	doc := HTMLDoc{Meta: map[string]string{}}
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return doc
	}
	base, _ := url.Parse(pageURL)
	var text strings.Builder
	var cur *Form
	var walk func(n *html.Node, inForm *Form)
	walk = func(n *html.Node, inForm *Form) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "title":
				if doc.Title == "" && n.FirstChild != nil {
					doc.Title = Clean(strings.TrimSpace(n.FirstChild.Data), 200)
				}
			case "meta":
				name := strings.ToLower(attr(n, "name"))
				if name == "" {
					name = strings.ToLower(attr(n, "property"))
				}
				if name != "" {
					doc.Meta[name] = Clean(attr(n, "content"), 200)
				}
			case "form":
				f := Form{Method: strings.ToUpper(attr(n, "method")), Action: resolve(base, attr(n, "action"))}
				if f.Method == "" {
					f.Method = "GET"
				}
				doc.Forms = append(doc.Forms, f)
				cur = &doc.Forms[len(doc.Forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, cur)
				}
				return
			case "input":
				typ := strings.ToLower(attr(n, "type"))
				if typ == "" {
					typ = "text"
				}
				f := inForm
				if f == nil {
					// A password field outside any form still asks for a password (script logins).
					doc.Forms = append(doc.Forms, Form{Method: "SCRIPT", Action: pageURL})
					f = &doc.Forms[len(doc.Forms)-1]
				}
				f.Inputs = append(f.Inputs, typ+":"+Clean(attr(n, "name"), 60))
				if typ == "password" {
					f.HasPassword = true
				}
				if strings.EqualFold(strings.TrimSpace(attr(n, "autocomplete")), "one-time-code") {
					f.OneTimeCode = true
				}
			case "script", "style":
				return
			}
		}
		if n.Type == html.TextNode && text.Len() < 8192 {
			if t := strings.TrimSpace(n.Data); t != "" {
				text.WriteString(t)
				text.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(root, nil)
	doc.Text = Clean(text.String(), 8192)
	return doc
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func resolve(base *url.URL, ref string) string {
	if base == nil {
		return Clean(ref, 300)
	}
	u, err := base.Parse(strings.TrimSpace(ref))
	if err != nil {
		return Clean(ref, 300)
	}
	return Clean(u.String(), 300)
}

// PasswordForms returns the forms that ask for a password.
func (d HTMLDoc) PasswordForms() []Form {
	var out []Form
	for _, f := range d.Forms {
		if f.HasPassword {
			out = append(out, f)
		}
	}
	return out
}

// Challenge is one WWW-Authenticate challenge.
type Challenge struct {
	Scheme string `json:"scheme"`
	Realm  string `json:"realm,omitempty"`
}

// PasswordSchemes are the HTTP authentication schemes that carry a password (or its hash) and
// nothing else.
var PasswordSchemes = map[string]bool{"basic": true, "digest": true, "ntlm": true, "negotiate": true}

// Challenges parses the WWW-Authenticate headers of a response.
func Challenges(h http.Header) []Challenge {
	var out []Challenge
	for _, v := range h.Values("WWW-Authenticate") {
		for _, part := range splitChallenges(v) {
			fields := strings.Fields(part)
			if len(fields) == 0 {
				continue
			}
			c := Challenge{Scheme: Clean(fields[0], 40)}
			if i := strings.Index(strings.ToLower(part), "realm="); i >= 0 {
				realm := part[i+len("realm="):]
				if strings.HasPrefix(realm, `"`) {
					if j := strings.Index(realm[1:], `"`); j >= 0 {
						realm = realm[1 : j+1]
					}
				} else if j := strings.IndexAny(realm, ", "); j >= 0 {
					realm = realm[:j]
				}
				c.Realm = Clean(realm, 120)
			}
			out = append(out, c)
		}
	}
	return out
}

// splitChallenges separates "Basic realm=x, Negotiate" into its challenges: a new challenge
// starts at a comma followed by a token that is not a parameter (no "=").
func splitChallenges(v string) []string {
	var out []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch == '"' {
			inQuote = !inQuote
		}
		if ch == ',' && !inQuote {
			rest := strings.TrimSpace(v[i+1:])
			tok := rest
			if j := strings.IndexAny(rest, " ,"); j >= 0 {
				tok = rest[:j]
			}
			if !strings.Contains(tok, "=") {
				out = append(out, strings.TrimSpace(cur.String()))
				cur.Reset()
				continue
			}
		}
		cur.WriteByte(ch)
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
