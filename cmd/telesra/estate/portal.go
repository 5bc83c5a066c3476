package estate

import (
	"fmt"
	"net/http"
)

const portalPage = `<!doctype html>
<html><head><title>Riverside Family Telehealth - Patient Portal</title></head>
<body>
<h1>Patient Portal</h1>
<p>Sign in to see your visit summaries, lab results and messages from your care team.</p>
<form method="post" action="/login">
  <label>Email <input type="email" name="email"></label>
  <label>Password <input type="password" name="password"></label>
  <button type="submit">Sign in</button>
</form>
</body></html>
`

// startPortal serves the patient portal's login over plain HTTP: the classic cleartext
// credential exposure (transport.cleartext_http, high).
func startPortal(e *Estate) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, portalPage)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		// The demo never checks credentials; a scan never submits the form anyway.
		http.Error(w, "demo portal: sign-in disabled", http.StatusForbidden)
	})
	addr, err := e.serveHTTP(portPortal, mux)
	if err != nil {
		return err
	}
	e.Services = append(e.Services, Service{
		Family: "transport",
		Name:   "Patient portal (plain HTTP)",
		Asset:  "Patient portal", EPHI: []string{"Patient portal"}, Internet: true,
		Target:     addr,
		Weaknesses: []string{"login form served without TLS"},
	})
	return nil
}
