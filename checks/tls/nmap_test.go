package tls

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telesra/telesra/checks/checkstest"
)

const nmapTLSLua = "/usr/share/nmap/nselib/tls.lua"

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }

// nmapSuiteIDs reads the cipher suite table of nmap's TLS library: name -> code point.
func nmapSuiteIDs(t testing.TB) map[string]uint16 {
	t.Helper()
	checkstest.RequireBinary(t, "nmap")
	src, err := os.ReadFile(nmapTLSLua)
	if err != nil {
		if checkstest.InCI() {
			t.Fatalf("nmap is installed but %s is not readable: %v", nmapTLSLua, err)
		}
		t.Skipf("%s: %v", nmapTLSLua, err)
	}
	start := bytes.Index(src, []byte("\nCIPHERS = {"))
	end := bytes.Index(src[start:], []byte("\n}"))
	if start < 0 || end < 0 {
		t.Fatalf("%s: no CIPHERS table", nmapTLSLua)
	}
	re := regexp.MustCompile(`(?m)^\s*\[?"?([A-Za-z0-9_\-]+)"?\]?\s*=\s*0x([0-9A-Fa-f]{4})`)
	out := map[string]uint16{}
	for _, m := range re.FindAllSubmatch(src[start:start+end], -1) {
		v, _ := strconv.ParseUint(string(m[2]), 16, 16)
		out[string(m[1])] = uint16(v)
	}
	if len(out) < 300 {
		t.Fatalf("%s: only %d suites parsed", nmapTLSLua, len(out))
	}
	return out
}

// TestSuiteTableCoversNmap: every suite nmap's ssl-enum-ciphers can find, telesra offers too.
func TestSuiteTableCoversNmap(t *testing.T) {
	for name, id := range nmapSuiteIDs(t) {
		if _, ok := suitesByID[id]; !ok {
			t.Errorf("nmap knows %s (0x%04X); telesra's suite table does not", name, id)
		}
	}
}

type nmapRun struct {
	Hosts []struct {
		Ports []struct {
			ID      int `xml:"portid,attr"`
			Scripts []struct {
				ID     string      `xml:"id,attr"`
				Tables []nmapTable `xml:"table"`
			} `xml:"script"`
		} `xml:"ports>port"`
	} `xml:"host"`
}

type nmapTable struct {
	Key    string      `xml:"key,attr"`
	Tables []nmapTable `xml:"table"`
	Elems  []struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	} `xml:"elem"`
}

func (n nmapTable) elem(key string) string {
	for _, e := range n.Elems {
		if e.Key == key {
			return strings.TrimSpace(e.Value)
		}
	}
	return ""
}

var nmapVersion = map[string]uint16{"SSLv3": versionSSL3, "TLSv1.0": versionTLS10, "TLSv1.1": versionTLS11, "TLSv1.2": versionTLS12, "TLSv1.3": versionTLS13}

// nmapAgrees runs nmap's ssl-enum-ciphers on the fixture's endpoints and compares its lists
// with telesra's: the same suites per version, and the same order where both see a server
// order.
func nmapAgrees(t *testing.T, f *fixture, verdicts map[string]*Verdict) {
	ids := nmapSuiteIDs(t)
	bin := checkstest.RequireBinary(t, "nmap")
	var ports []string
	byPort := map[int]*endpointCase{}
	for _, c := range f.cases {
		ports = append(ports, strconv.Itoa(c.port))
		byPort[c.port] = c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, "-Pn", "-n", "-sT", "-p", strings.Join(ports, ","), "--script", "ssl-enum-ciphers", "-oX", "-", "127.0.0.1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nmap: %v", err)
	}
	t.Logf("nmap took %v for %d endpoints", time.Since(start), len(ports))
	var run nmapRun
	if err := xml.Unmarshal(out, &run); err != nil {
		t.Fatalf("nmap XML: %v", err)
	}
	seen := 0
	for _, h := range run.Hosts {
		for _, p := range h.Ports {
			c := byPort[p.ID]
			if c == nil {
				continue
			}
			v := verdicts[c.target]
			if v == nil {
				t.Errorf("%s: no telesra verdict", c.name)
				continue
			}
			for _, s := range p.Scripts {
				if s.ID != "ssl-enum-ciphers" {
					continue
				}
				seen++
				nmapVersions := map[uint16]bool{}
				for _, vt := range s.Tables {
					ver, ok := nmapVersion[vt.Key]
					if !ok {
						continue
					}
					nmapVersions[ver] = true
					var nm []uint16
					for _, ct := range vt.Tables {
						if ct.Key != "ciphers" {
							continue
						}
						for _, st := range ct.Tables {
							name := st.elem("name")
							id, ok := ids[name]
							if !ok {
								t.Errorf("%s: nmap names unknown suite %q", c.name, name)
							}
							nm = append(nm, id)
						}
					}
					tp := v.Report.Protocol(ver)
					var ours []uint16
					for _, s := range tp.Suites {
						ours = append(ours, s.ID)
					}
					if vt.elem("cipher preference") == "server" && tp.Preference == "server" {
						if !slices.Equal(nm, ours) {
							t.Errorf("%s %s: order differs\n nmap:    %v\n telesra: %v", c.name, vt.Key, names(nm), names(ours))
						}
						continue
					}
					slices.Sort(nm)
					slices.Sort(ours)
					if !slices.Equal(nm, ours) {
						t.Errorf("%s %s: suites differ\n nmap:    %v\n telesra: %v", c.name, vt.Key, names(nm), names(ours))
					}
				}
				for _, tp := range v.Report.Protocols {
					if tp.Offered && tp.Version != versionSSL2 && !nmapVersions[tp.Version] {
						t.Errorf("%s: telesra finds %s, nmap does not", c.name, tp.Name)
					}
				}
			}
		}
	}
	if seen != len(f.cases) {
		t.Errorf("nmap reported on %d of %d endpoints", seen, len(f.cases))
	}
}
