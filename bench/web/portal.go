// Package webbench is what the web family's benchmarks scan (checks/web/bench_test.go: nuclei
// engine start, and the whole template pack against 1 and against 100 loopback web servers,
// time and peak memory), and what run.sh serves to the nuclei CLI built from the same module
// version running the same templates.
package webbench

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// Portal is the server every benchmark scans: a plain-HTTP patient portal with a session cookie,
// no security headers, a published .git directory and an .env file, so that templates match as
// well as miss.
func Portal() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "nginx/1.18.0")
		switch r.URL.Path {
		case "/":
			http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: "abc", Path: "/"})
			fmt.Fprint(w, `<!doctype html><html><head><title>Patient portal</title></head><body>
<form method="post" action="/login"><input name="email"><input type="password" name="password"></form></body></html>`)
		case "/.git/HEAD":
			fmt.Fprint(w, "ref: refs/heads/main\n")
		case "/.env":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "APP_ENV=production\nDB_PASSWORD=hunter2\n")
		default:
			http.NotFound(w, r)
		}
	})
}

// Servers are n portals on 127.0.0.1.
type Servers struct {
	URLs []string
	srvs []*http.Server
}

// StartServers starts n portals on loopback ports the kernel picks.
func StartServers(n int) (*Servers, error) {
	s := &Servers{}
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.Close()
			return nil, err
		}
		srv := &http.Server{Handler: Portal(), ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				_ = err
			}
		}()
		s.srvs = append(s.srvs, srv)
		s.URLs = append(s.URLs, "http://"+ln.Addr().String()+"/")
	}
	return s, nil
}

// Close stops the servers.
func (s *Servers) Close() {
	for _, srv := range s.srvs {
		_ = srv.Close()
	}
}
