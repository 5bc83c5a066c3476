package checks

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in     string
		kind   TargetKind
		host   string
		port   int
		scheme string
		str    string // Endpoint string for host:port/URL kinds
	}{
		{"portal.example.org", KindHost, "portal.example.org", 0, "", ""},
		{"Portal.Example.ORG.", KindHost, "portal.example.org", 0, "", ""},
		{"10.0.0.5", KindHost, "10.0.0.5", 0, "", ""},
		{"::1", KindHost, "::1", 0, "", ""},
		{"[2001:db8::1]", KindHost, "2001:db8::1", 0, "", ""},
		{"10.0.0.5:3389", KindHostPort, "10.0.0.5", 3389, "", "10.0.0.5:3389"},
		{"[::1]:8443", KindHostPort, "::1", 8443, "", "[::1]:8443"},
		{"https://portal.example.org/login", KindURL, "portal.example.org", 443, "https", "https://portal.example.org/login"},
		{"http://127.0.0.1:8080", KindURL, "127.0.0.1", 8080, "http", "http://127.0.0.1:8080/"},
		{"smtp://mail.example.org:25", KindURL, "mail.example.org", 25, "smtp", "smtp://mail.example.org/"},
		{"https://[::1]/", KindURL, "::1", 443, "https", "https://[::1]/"},
		{"10.20.0.0/24", KindCIDR, "10.20.0.0", 0, "", ""},
		{"2001:db8::/120", KindCIDR, "2001:db8::", 0, "", ""},
	}
	for _, c := range cases {
		tg, err := ParseTarget(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if tg.Kind != c.kind || tg.Host != c.host || tg.Port != c.port || tg.Scheme != c.scheme {
			t.Errorf("%q = kind %d host %q port %d scheme %q", c.in, tg.Kind, tg.Host, tg.Port, tg.Scheme)
		}
		if c.str != "" {
			ep := Endpoint{Host: tg.Host, Port: tg.Port, Scheme: tg.Scheme, Path: tg.Path, URL: tg.Kind == KindURL}
			if got := ep.String(); got != c.str {
				t.Errorf("%q endpoint = %q, want %q", c.in, got, c.str)
			}
		}
	}
}

func TestParseTargetRejects(t *testing.T) {
	cases := map[string]string{
		"10.0.0.5:70000":               "out of range",
		"10.0.0.5:0":                   "out of range",
		"https://example.org:99999/":   "out of range",
		"10.0.0.0/33":                  "invalid CIDR",
		"10.0.0.1/24":                  "host bits set",
		"bad_cidr/x":                   "invalid CIDR",
		"gopher://example.org":         "unsupported scheme",
		"https://user:pw@example.org/": "must not carry user names",
		"exa mple.org":                 "white space",
		"-bad-.example.org":            "not a valid host name",
		"0.0.0.0":                      "not a host address",
		"224.0.0.1":                    "not a host address",
		"":                             "empty target",
	}
	for in, want := range cases {
		_, err := ParseTarget(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTarget(%q) = %v, want error containing %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("ParseTarget(%q) leaks the password: %v", in, err)
		}
	}
}

func TestParseTargetsFileNamesLines(t *testing.T) {
	text := "# clinic estate\n10.0.0.5:443\n\nportal.example.org   # the portal\n10.0.0.5:99999\nnot a target\n"
	_, err := ParseTargetsFile("targets.txt", []byte(text))
	if err == nil {
		t.Fatal("accepted a bad file")
	}
	for _, want := range []string{"targets.txt:5: ", "out of range", "targets.txt:6: ", "white space"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	ts, err := ParseTargetsFile("targets.txt", []byte("# only\n10.0.0.5:443\nportal.example.org # x\n"))
	if err != nil || len(ts) != 2 || ts[1].Source.Line != 3 || ts[1].Source.File != "targets.txt" {
		t.Fatalf("good file: %v %+v", err, ts)
	}
	if _, err := ParseTargetsFile("empty.txt", []byte("# nothing\n")); err == nil || !strings.Contains(err.Error(), "no targets") {
		t.Errorf("empty file: %v", err)
	}
}

// A URL typed without its colon or a slash is a URL mistake, not a bad CIDR.
func TestParseTargetMalformedURL(t *testing.T) {
	for in, want := range map[string]string{
		"http//host":         `did you mean "http://host"?`,
		"https:/portal.test": `did you mean "https://portal.test"?`,
		"HTTPS//a.test/x":    `did you mean "HTTPS://a.test/x"?`,
		"portal.test/login":  `a URL needs a scheme (did you mean "https://portal.test/login"?)`,
		"10.0.0.0/40":        "invalid CIDR",
	} {
		_, err := ParseTarget(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", in, err, want)
		}
	}
}
