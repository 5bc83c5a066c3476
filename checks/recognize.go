package checks

import "context"

// Technology is a product recognised on an endpoint (by nuclei templates or a fingerprint).
type Technology struct {
	Product  string `json:"product"`            // "nginx", "OpenEMR", "Outlook Web App"
	Vendor   string `json:"vendor,omitempty"`   // "F5", "Microsoft"
	Version  string `json:"version,omitempty"`  // as observed, cleaned
	Category string `json:"category,omitempty"` // "web-server", "remote-access", "webmail", "ehr", "admin-console", ...
	Source   string `json:"source"`             // the template or fingerprint that matched
	Evidence string `json:"evidence,omitempty"` // what it matched on, cleaned
}

// Recognizer identifies the products an HTTP endpoint runs. The web family implements it with
// the nuclei engine (the only package that imports nuclei); other families receive it through
// their options and work, with less precision, without it.
type Recognizer interface {
	Recognize(ctx context.Context, env *Env) ([]Technology, error)
}
