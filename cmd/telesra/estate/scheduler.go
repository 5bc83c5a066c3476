package estate

import (
	"fmt"
	"net/http"
)

const schedulerPage = `<!doctype html>
<html><head><title>Riverside Family Telehealth - Appointment Scheduler</title>
<meta name="generator" content="OpenClinic Scheduler 2.1"></head>
<body>
<h1>Book a video visit</h1>
<p>Choose a clinician and a time; we will email you the visit link.</p>
</body></html>
`

// startScheduler serves the practice's old appointment scheduler, which announces an end-of-life
// stack: nginx 1.16.1 (its branch ended in April 2020) and PHP 7.2.34 (ended November 2020). The
// patch family reports both as end of life (confirmed: vendor builds), the known-exploited and
// other CVEs of those versions as potential (they need configurations a banner cannot show), and
// the version disclosure itself.
func startScheduler(e *Estate) error {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "nginx/1.16.1")
		w.Header().Set("X-Powered-By", "PHP/7.2.34")
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, schedulerPage)
	})
	addr, err := e.serveHTTP(portScheduler, h)
	if err != nil {
		return err
	}
	e.Services = append(e.Services, Service{
		Family: "patch",
		Name:   "Appointment scheduler (legacy)",
		Asset:  "Appointment scheduler", EPHI: []string{"Patient portal"}, Internet: true,
		Target: addr,
		Weaknesses: []string{
			"announces end-of-life nginx 1.16.1 and PHP 7.2.34",
			"served without TLS",
		},
	})
	return nil
}
