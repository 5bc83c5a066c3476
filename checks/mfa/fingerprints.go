package mfa

import (
	"net/http"
	"regexp"
	"strings"
)

// fingerprint recognises a remote-access, webmail or EHR product from one of its own pages.
// Brand names alone are weak evidence (a clinic's home page links to its MyChart), so a page
// matches on a marker only the product's own pages carry (an asset path, a header, a title), or
// on the brand name when the page also asks for a password.
type fingerprint struct {
	ID       string
	Product  string
	Vendor   string
	Category string
	Title    *regexp.Regexp    // the page title
	Markers  []string          // substrings of the body (lower case) that only the product's pages carry
	Headers  map[string]string // header name -> lower-case substring of its value ("" for presence)
	Brand    []string          // lower-case brand names: evidence only on a page with a password form
}

// Categories of Technology that the mfa family treats as portals whose login needs MFA.
var portalCategories = map[string]bool{
	"remote-access": true, "vpn": true, "webmail": true, "ehr": true, "patient-portal": true,
	"identity": true, "sso": true, "remote-desktop": true,
}

var fingerprints = []fingerprint{
	{ID: "owa", Product: "Outlook Web App (Exchange)", Vendor: "Microsoft", Category: "webmail",
		Title:   regexp.MustCompile(`(?i)^outlook( web app)?$`),
		Markers: []string{"/owa/auth/", "owaauth", "flogon.aspx"},
		Headers: map[string]string{"X-OWA-Version": ""},
		Brand:   []string{"outlook web app", "outlook web access", "outlook on the web"}},
	{ID: "citrix-gateway", Product: "Citrix Gateway (NetScaler)", Vendor: "Citrix", Category: "remote-access",
		Title:   regexp.MustCompile(`(?i)^(citrix gateway|netscaler gateway|netscaler aaa)`),
		Markers: []string{"/logon/logonpoint/", "/vpn/resources/", "ctxs.authentication"},
		Headers: map[string]string{"Set-Cookie": "nsc_"},
		Brand:   []string{"citrix gateway", "netscaler gateway"}},
	{ID: "fortigate-sslvpn", Product: "FortiGate SSL-VPN", Vendor: "Fortinet", Category: "vpn",
		Markers: []string{"/remote/logincheck", "/remote/fgt_lang", "ftnt-fortinet-grid", "/sslvpn/portal"},
		Headers: map[string]string{"Set-Cookie": "svpncookie"},
		Brand:   []string{"fortigate", "fortinet"}},
	{ID: "pulse-ivanti", Product: "Ivanti Connect Secure (Pulse Secure)", Vendor: "Ivanti", Category: "vpn",
		Title:   regexp.MustCompile(`(?i)(pulse connect secure|ivanti connect secure)`),
		Markers: []string{"/dana-na/", "/dana-cached/"},
		Headers: map[string]string{"Set-Cookie": "dssigninurl"},
		Brand:   []string{"pulse connect secure", "ivanti connect secure", "pulse secure"}},
	{ID: "rdweb", Product: "RD Web Access (Remote Desktop Services)", Vendor: "Microsoft", Category: "remote-desktop",
		Title:   regexp.MustCompile(`(?i)(rd web access|ts web access|remote desktop web)`),
		Markers: []string{"/rdweb/pages/", "/rdweb/feed/"},
		Brand:   []string{"rd web access", "ts web access", "remote desktop web access"}},
	{ID: "adfs", Product: "AD FS (Active Directory Federation Services)", Vendor: "Microsoft", Category: "identity",
		Markers: []string{"/adfs/ls/", "/adfs/portal/", "idpinitiatedsignon"}},
	{ID: "globalprotect", Product: "GlobalProtect portal", Vendor: "Palo Alto Networks", Category: "vpn",
		Title:   regexp.MustCompile(`(?i)globalprotect`),
		Markers: []string{"/global-protect/"},
		Brand:   []string{"globalprotect"}},
	{ID: "sonicwall", Product: "SonicWall SSL-VPN", Vendor: "SonicWall", Category: "vpn",
		Title:   regexp.MustCompile(`(?i)(sonicwall|virtual office)`),
		Markers: []string{"/cgi-bin/userlogin", "/__api__/v1/logon", "sslvpnlogin"},
		Brand:   []string{"sonicwall", "sonicos", "virtual office"}},
	{ID: "cisco-asa", Product: "Cisco ASA / AnyConnect WebVPN", Vendor: "Cisco", Category: "vpn",
		Markers: []string{"/+cscoe+/", "/+cscou+/", "webvpnlogin"},
		Headers: map[string]string{"Set-Cookie": "webvpn"}},
	{ID: "vmware-horizon", Product: "VMware Horizon", Vendor: "VMware", Category: "remote-access",
		Title:   regexp.MustCompile(`(?i)vmware horizon`),
		Markers: []string{"/portal/webclient/"},
		Brand:   []string{"vmware horizon"}},
	{ID: "openemr", Product: "OpenEMR", Vendor: "OpenEMR", Category: "ehr",
		Title:   regexp.MustCompile(`(?i)openemr`),
		Markers: []string{"/interface/login/", "/interface/main/main_screen.php"},
		Brand:   []string{"openemr"}},
	{ID: "openmrs", Product: "OpenMRS", Vendor: "OpenMRS", Category: "ehr",
		Title:   regexp.MustCompile(`(?i)openmrs`),
		Markers: []string{"/openmrs/ws/", "/openmrs/login"},
		Brand:   []string{"openmrs"}},
	{ID: "mychart", Product: "MyChart (Epic patient portal)", Vendor: "Epic", Category: "patient-portal",
		Title:   regexp.MustCompile(`(?i)^mychart`),
		Markers: []string{"/mychart/authentication/", "mychartlogin"},
		Brand:   []string{"mychart"}},
	{ID: "eclinicalworks", Product: "eClinicalWorks / healow patient portal", Vendor: "eClinicalWorks", Category: "patient-portal",
		Markers: []string{"/mobiledoc/", "/portal/eclinicalworks"},
		Brand:   []string{"eclinicalworks", "healow"}},
	{ID: "nextgen", Product: "NextGen Patient Portal", Vendor: "NextGen Healthcare", Category: "patient-portal",
		Markers: []string{"nextmd.com"},
		Brand:   []string{"nextgen patient portal", "nextgen healthcare"}},
	{ID: "roundcube", Product: "Roundcube Webmail", Vendor: "Roundcube", Category: "webmail",
		Title:   regexp.MustCompile(`(?i)roundcube webmail`),
		Markers: []string{"rcmloginuser"},
		Brand:   []string{"roundcube"}},
	{ID: "zimbra", Product: "Zimbra Web Client", Vendor: "Synacor", Category: "webmail",
		Title:   regexp.MustCompile(`(?i)zimbra web client`),
		Markers: []string{"/zimbra/public/"},
		Brand:   []string{"zimbra"}},
}

// match reports the evidence with which the page matches the fingerprint, or "".
func (fp fingerprint) match(title string, lowerBody string, h http.Header, hasPassword bool) string {
	if fp.Title != nil && title != "" && fp.Title.MatchString(title) {
		return "title " + title
	}
	for _, m := range fp.Markers {
		if strings.Contains(lowerBody, m) {
			return "page contains " + m
		}
	}
	for name, want := range fp.Headers {
		for _, v := range h.Values(name) {
			if want == "" || strings.Contains(strings.ToLower(v), want) {
				if want == "" {
					return "header " + name
				}
				return "header " + name + " contains " + want
			}
		}
	}
	if hasPassword {
		for _, b := range fp.Brand {
			if strings.Contains(lowerBody, b) {
				return "login page names " + b
			}
		}
	}
	return ""
}
