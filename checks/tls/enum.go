package tls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/telesra/telesra/checks"
	"github.com/telesra/telesra/checks/lineproto"
)

// Report is what the enumeration learned about one endpoint's TLS: every protocol version with
// its cipher suites in the server's order, the key exchange, and the protocol-level behaviour
// read from the same handshakes.
type Report struct {
	STARTTLS             string       `json:"starttls,omitempty"`
	SNI                  string       `json:"sni,omitempty"`
	Protocols            []*Protocol  `json:"protocols"`
	KeyExchange          KeyExchange  `json:"key_exchange"`
	SecureRenegotiation  bool         `json:"secure_renegotiation"`
	Compression          bool         `json:"compression"`
	Heartbeat            bool         `json:"heartbeat_extension"`
	ExtendedMasterSecret bool         `json:"extended_master_secret"`
	FallbackSCSV         string       `json:"fallback_scsv"` // honoured, missing, not-needed, unknown
	FallbackDetail       string       `json:"fallback_detail,omitempty"`
	Connections          int          `json:"connections"`
	Flights              []*seenChain `json:"-"` // certificate chains read from the enumeration, by key type
	FlightError          error        `json:"-"` // why a flight (certificate chain) could not be read
	NoSTARTTLS           bool         `json:"-"`
}

// Protocol is one protocol version's result.
type Protocol struct {
	Name       string        `json:"name"`
	Version    uint16        `json:"version"`
	Offered    bool          `json:"offered"`
	Suites     []SuiteResult `json:"suites,omitempty"`
	Preference string        `json:"preference,omitempty"` // server, client, indeterminate (one suite), unknown
	Refusal    string        `json:"refusal,omitempty"`    // how the server said no
	Note       string        `json:"note,omitempty"`
	SSLv2      []string      `json:"sslv2_ciphers,omitempty"`
}

// SuiteResult is an accepted suite and what its key exchange used.
type SuiteResult struct {
	Suite
	KexInfo string `json:"kex_info,omitempty"` // "secp256r1", "dh 2048", "rsa 2048"
}

// KeyExchange sums up the ephemeral keys the server used.
type KeyExchange struct {
	DHBits         int      `json:"dh_bits,omitempty"`         // smallest DH group seen
	Curves         []string `json:"curves,omitempty"`          // ECDHE curves chosen (TLS 1.2 and below)
	TLS13Groups    []string `json:"tls13_groups,omitempty"`    // groups chosen in TLS 1.3
	ExportRSABits  int      `json:"export_rsa_bits,omitempty"` // temporary RSA key of export suites
	ForwardSecrecy string   `json:"forward_secrecy"`           // all, preferred, some, none
	WeakCurves     []string `json:"weak_curves,omitempty"`     // curves below 224 bits
	ExplicitCurve  bool     `json:"explicit_curve,omitempty"`  // explicit (unnamed) curve parameters
}

// Offered reports whether the version was accepted.
func (r *Report) Offered(v uint16) bool {
	p := r.Protocol(v)
	return p != nil && p.Offered
}

// Protocol returns a version's result.
func (r *Report) Protocol(v uint16) *Protocol {
	for _, p := range r.Protocols {
		if p.Version == v {
			return p
		}
	}
	return nil
}

// AllSuites lists every accepted suite with the versions that accept it.
func (r *Report) AllSuites() map[uint16][]string {
	out := map[uint16][]string{}
	for _, p := range r.Protocols {
		for _, s := range p.Suites {
			out[s.ID] = append(out[s.ID], p.Name)
		}
	}
	return out
}

// seenChain is a certificate chain read in the clear from a TLS 1.2-and-below flight.
type seenChain struct {
	Auth    string
	Version uint16
	Chain   [][]byte
	OCSP    []byte
}

// enumerator runs one endpoint's enumeration.
type enumerator struct {
	t  *target
	ks *keyShares

	mu            sync.Mutex
	chains        map[string]*seenChain // by auth, highest version wins
	kexInfo       map[uint16]map[string]string
	dhBits        int
	curves        map[string]bool
	groups13      map[string]bool
	exportRSA     int
	weakCurves    map[string]bool
	explicitCurve bool
	reneg         map[uint16]bool // version -> every ServerHello had renegotiation_info
	compression   bool
	heartbeat     bool
	ems           bool
	flightErr     error
	noFlights     bool

	// firstRound is passed once every SSLv3-TLS 1.2 thread has had the answer to its first, full
	// ClientHello; bigHello says whether any answer showed the server reads a full hello (a
	// ServerHello or an alert). A version met with silence is then simply not offered, and only
	// when no version answered is the silence taken for intolerance of large hellos.
	firstRound sync.WaitGroup
	bigHello   atomic.Bool
}

// enumProbe runs the enumeration once per endpoint.
var enumProbe = &checks.Probe[*Report]{ID: "tls.enum", Run: enumerate,
	Description: fmt.Sprintf("Protocol and cipher suite enumeration. SSL 2.0: one hand-built CLIENT-HELLO. SSLv3 to TLS 1.2: "+
		"ClientHellos built by zcrypto offering every suite nmap's ssl-enum-ciphers knows (%d), every named curve, signature "+
		"algorithm, DEFLATE compression, heartbeat and renegotiation_info; TLS 1.3: hand-built ClientHellos offering its %d suites. ", len(offerTLS12), len(offerTLS13)) +
		"Per version, the server's pick is removed and the rest offered again until it refuses; reading stops at the ServerHello, " +
		"except for the first handshake of each key-exchange and certificate kind, read on to ServerHelloDone (chain, OCSP staple, " +
		"DH/ECDH parameters) without ever sending a key exchange. A server that drops large hellos gets compact ones in chunks of 64. " +
		"When the picks match the client's order, one handshake with two suites swapped tells server from client preference. " +
		"One TLS_FALLBACK_SCSV handshake when versions below TLS 1.2 are offered. SMTP, IMAP, POP3 and FTP are upgraded with STARTTLS first.",
	Connections: "accepted suites + 6, plus at most one per version for the preference, two per version after a silent close " +
		"(to find a key exchange the server cannot complete), and one for the fallback test"}

func enumerate(ctx context.Context, env *checks.Env) (*Report, error) {
	t := newTarget(env)
	ks, err := newKeyShares()
	if err != nil {
		return nil, err
	}
	e := &enumerator{
		t: t, ks: ks, chains: map[string]*seenChain{}, kexInfo: map[uint16]map[string]string{},
		curves: map[string]bool{}, groups13: map[string]bool{}, weakCurves: map[string]bool{}, reneg: map[uint16]bool{},
	}
	rep := &Report{STARTTLS: string(t.starttls), SNI: t.sni}
	defer func() { rep.Connections = int(t.conns.Load()) }()

	versions := []uint16{versionSSL2, versionSSL3, versionTLS10, versionTLS11, versionTLS12, versionTLS13}
	results := make([]*Protocol, len(versions))
	e.firstRound.Add(4) // SSLv3, TLS 1.0, 1.1, 1.2
	g, gctx := errgroup.WithContext(ctx)
	for i, v := range versions {
		g.Go(func() error {
			var p *Protocol
			var err error
			switch v {
			case versionSSL2:
				p, err = e.scanSSL2(gctx)
			case versionTLS13:
				p, err = e.scanVersion(gctx, v, offerTLS13)
			default:
				p, err = e.scanVersion(gctx, v, offerTLS12)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", versionName(v), err)
			}
			results[i] = p
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if errors.Is(err, lineproto.ErrNoSTARTTLS) {
			rep.NoSTARTTLS = true
			return rep, nil
		}
		return nil, err
	}
	rep.Protocols = results
	any := false
	var refusals []string
	for _, p := range results {
		any = any || p.Offered
		if p.Refusal != "" {
			refusals = append(refusals, p.Name+": "+p.Refusal)
		}
	}
	if !any {
		return nil, &checks.ProbeError{Reason: checks.ReasonTLSFailure,
			Err: fmt.Errorf("no SSL/TLS version accepted (%s)", strings.Join(refusals, "; "))}
	}
	if err := e.fallback(ctx, rep); err != nil {
		return nil, err
	}
	e.finish(rep)
	return rep, nil
}

// scanSSL2 sends one SSL 2.0 CLIENT-HELLO: its SERVER-HELLO lists every cipher kind the server
// shares, so one connection is the whole enumeration.
func (e *enumerator) scanSSL2(ctx context.Context) (*Protocol, error) {
	p := &Protocol{Name: versionName(versionSSL2), Version: versionSSL2}
	hello, err := clientHelloSSL2()
	if err != nil {
		return nil, err
	}
	c, err := e.t.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.Write(hello); err != nil {
		if closedQuietly(err) {
			p.Refusal = "connection closed"
			return p, nil
		}
		return nil, err
	}
	codes, err := readSSLv2ServerHello(newServerReader(c, helloBudget))
	if r, ok := isRefusal(err); ok {
		p.Refusal = r.Error()
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	p.Offered = true
	for _, code := range codes {
		p.SSLv2 = append(p.SSLv2, sslv2CipherName(code))
	}
	if len(codes) == 0 {
		p.Note = "SSLv2 answered but shares no cipher (CVE-2015-3197 class)"
	}
	return p, nil
}

// exchange sends one ClientHello and reads the answer up to the ServerHello; when wantFlight
// says so for the chosen suite, it goes on reading (never writing) up to ServerHelloDone. A
// flight that cannot be read does not undo the ServerHello: it is returned as ferr.
func (e *enumerator) exchange(ctx context.Context, v uint16, suites []uint16, o helloOptions,
	wantFlight func(*serverHello) bool) (sh *serverHello, fl *flight, ferr, err error) {
	var rec []byte
	if v == versionTLS13 {
		rec, err = clientHello13(suites, e.t.sni, e.ks)
	} else {
		o.sni = e.t.sni
		rec, err = clientHello12(v, suites, o)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := e.t.dial(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	defer c.Close()
	if _, err := c.Write(rec); err != nil {
		if closedQuietly(err) {
			return nil, nil, nil, &refusal{alert: -1}
		}
		return nil, nil, nil, err
	}
	r := newServerReader(c, helloBudget)
	typ, body, err := r.message()
	if err != nil {
		return nil, nil, nil, err
	}
	if typ != typeServerHello {
		return nil, nil, nil, checks.Mismatch(fmt.Sprintf("expected a ServerHello, got handshake message %d", typ), nil)
	}
	if sh, err = parseServerHello(body); err != nil {
		return nil, nil, nil, err
	}
	if v != versionTLS13 && !sh.HRR && wantFlight != nil && wantFlight(sh) {
		r.budget = flightBudget
		fl, ferr = readFlight(r)
	}
	return sh, fl, ferr, nil
}

// chunkSize is how many suites a compact ClientHello offers. With the compact extensions that
// keeps the hello under 256 bytes, the size old servers still parse (nmap sizes its chunks the
// same way), while full hellos stay well over 512 bytes, clear of the 256-511 byte range some
// load balancers hang on.
const chunkSize = 64

// compactSuites is the retry offer for servers that reject a large ClientHello: the suites
// real servers are configured with, at most 64.
func compactSuites(offer []uint16) []uint16 {
	var out []uint16
	for i := len(offer) - 1; i >= 0 && len(out) < chunkSize; i-- {
		s := suitesByID[offer[i]]
		if s.Auth == "RSA" || s.Auth == "ECDSA" || s.Auth == "any" {
			out = append(out, offer[i])
		}
	}
	slices.Reverse(out)
	return out
}

// maxHandshakesPerVersion bounds one version's enumeration whatever the server does.
var maxHandshakesPerVersion = len(cipherSuiteNames) + 16

// scanVersion enumerates one version's suites by iterative removal: offer every suite, note the
// one the server picks, remove it, repeat until the server refuses. k accepted suites cost k+1
// handshakes, and the picks come in the server's order of preference when it has one.
func (e *enumerator) scanVersion(ctx context.Context, v uint16, offer []uint16) (*Protocol, error) {
	p := &Protocol{Name: versionName(v), Version: v}
	remaining := slices.Clone(offer)
	var picks []uint16
	seen := map[string]bool{}
	want := func(sh *serverHello) bool {
		key := detailKey(LookupSuite(sh.Suite))
		e.mu.Lock()
		defer e.mu.Unlock()
		if key == "" || seen[key] || e.noFlights {
			return false
		}
		seen[key] = true
		return true
	}
	var once sync.Once
	arrive := func() {
		if v != versionTLS13 {
			once.Do(e.firstRound.Done)
		}
	}
	defer arrive()
	// compact: the server closed on the full ClientHello but accepts a compact one, so the
	// suites go out in chunks (queue) and are ordered by one more pass at the end.
	compact, chunked := false, false
	searched := false // dropFailing ran (at most once per version: it costs up to two handshakes)
	var queue [][]uint16
	for n := 0; ; n++ {
		if len(remaining) == 0 {
			if compact && !chunked { // every compact suite accepted: the rest go in chunks
				chunked = true
				queue = chunksOf(without(offer, picks), chunkSize)
			}
			if len(queue) == 0 {
				break
			}
			remaining, queue = queue[0], queue[1:]
		}
		if n >= maxHandshakesPerVersion {
			p.Note = "stopped: handshake limit reached"
			break
		}
		sh, fl, ferr, err := e.exchange(ctx, v, remaining, helloOptions{compact: compact}, want)
		if r, ok := isRefusal(err); ok && r.alert < 0 && len(remaining) > 1 && !searched {
			searched = true
			// A silent close may be the server failing on the suite it picked (Dovecot without
			// DH parameters hangs up when the client's order makes it choose DHE) rather than
			// a refusal of everything offered: find the key exchange whose absence draws a
			// ServerHello, drop its suites, and carry on with the answer that showed it.
			if kex, sh2, fl2, ferr2, ok := e.dropFailing(ctx, v, remaining, helloOptions{compact: compact}, want); ok {
				offer = slices.DeleteFunc(slices.Clone(offer), func(id uint16) bool { return suitesByID[id].Kex == kex })
				remaining = slices.DeleteFunc(remaining, func(id uint16) bool { return suitesByID[id].Kex == kex })
				for i := range queue {
					queue[i] = slices.DeleteFunc(queue[i], func(id uint16) bool { return suitesByID[id].Kex == kex })
				}
				p.Note = strings.TrimSpace(p.Note + " server hangs up without an alert when it chooses a " + kex +
					" suite (it cannot complete that key exchange); those suites were left out")
				sh, fl, ferr, err = sh2, fl2, ferr2, nil
			}
		}
		r, refused := isRefusal(err)
		if n == 0 && v != versionTLS13 && (err == nil || refused && r.alert >= 0) {
			e.bigHello.Store(true) // the (small) TLS 1.3 hello proves nothing about large ones
		}
		if n == 0 {
			arrive()
		}
		if refused {
			if len(picks) == 0 && r.alert < 0 && !compact && v != versionTLS13 {
				// A silent close can be intolerance of a large ClientHello: if no version's full
				// hello was answered, retry once with a compact one before calling it refused.
				e.firstRound.Wait()
				if !e.bigHello.Load() {
					compact = true
					remaining = compactSuites(offer)
					continue
				}
			}
			if compact && len(picks) > 0 && !chunked {
				chunked = true
				queue = chunksOf(without(offer, picks), chunkSize)
			}
			if len(queue) > 0 {
				remaining, queue = queue[0], queue[1:]
				continue
			}
			if len(picks) == 0 {
				p.Refusal = r.Error()
			}
			break
		}
		if err != nil {
			return nil, err
		}
		if sh.Version != v {
			if len(picks) == 0 {
				p.Refusal = "server answered with " + versionName(sh.Version)
			}
			break
		}
		if !slices.Contains(remaining, sh.Suite) {
			p.Note = fmt.Sprintf("server chose %s, which it was not offered", LookupSuite(sh.Suite).Name)
			break
		}
		picks = append(picks, sh.Suite)
		remaining = slices.DeleteFunc(remaining, func(id uint16) bool { return id == sh.Suite })
		e.noteHello(v, sh, fl, ferr)
	}
	p.Offered = len(picks) > 0
	if !p.Offered {
		return p, nil
	}
	if compact {
		p.Note = strings.TrimSpace(p.Note + " server rejects large ClientHellos; enumerated with compact ones")
	}
	order, pref, err := e.preference(ctx, v, picks, offer, compact, chunked)
	if err != nil {
		return nil, err
	}
	p.Preference = pref
	for _, id := range order {
		p.Suites = append(p.Suites, SuiteResult{Suite: LookupSuite(id)})
	}
	return p, nil
}

// failingKex are the key exchanges a server may choose and then be unable to complete: DHE
// without DH parameters, ECDHE without a usable curve. Static and exotic ones are never chosen
// by a server not configured for them.
var failingKex = []string{"DHE", "ECDHE"}

// dropFailing looks, after a silent close, for the key exchange whose absence makes the server
// answer: it offers the suites without DHE, then without ECDHE (one handshake each, only for a
// key exchange present beside others). It returns that key exchange and the answer, or false
// when the server stays silent whatever is left out (a plain refusal: the caller goes on as
// before).
func (e *enumerator) dropFailing(ctx context.Context, v uint16, offered []uint16, o helloOptions,
	want func(*serverHello) bool) (string, *serverHello, *flight, error, bool) {
	for _, k := range failingKex {
		if !slices.ContainsFunc(offered, func(id uint16) bool { return suitesByID[id].Kex == k }) ||
			!slices.ContainsFunc(offered, func(id uint16) bool { return suitesByID[id].Kex != k }) {
			continue
		}
		rest := slices.DeleteFunc(slices.Clone(offered), func(id uint16) bool { return suitesByID[id].Kex == k })
		sh, fl, ferr, err := e.exchange(ctx, v, rest, o, want)
		if err == nil && sh.Version == v && slices.Contains(rest, sh.Suite) {
			return k, sh, fl, ferr, true
		}
		if _, ok := isRefusal(err); !ok && err != nil {
			return "", nil, nil, nil, false
		}
	}
	return "", nil, nil, nil, false
}

// preference decides whether the server imposes its own order. Because suites are offered
// weakest first and servers rank strong suites first, picks that differ from "the first offered
// suite the server accepts" prove a server order with no extra handshake; otherwise one
// handshake offering the first two picks swapped decides.
func (e *enumerator) preference(ctx context.Context, v uint16, picks, offer []uint16, compact, chunked bool) ([]uint16, string, error) {
	if len(picks) < 2 {
		return picks, "indeterminate", nil
	}
	if chunked {
		// Picks came from several chunks: order them with one more pass over the picks alone.
		ordered, err := e.order(ctx, v, picks)
		if err != nil {
			return nil, "", err
		}
		picks = ordered
	}
	idx := func(id uint16) int { return slices.Index(offer, id) }
	sim := slices.Clone(picks)
	sort.SliceStable(sim, func(i, j int) bool { return idx(sim[i]) < idx(sim[j]) })
	if !slices.Equal(sim, picks) {
		return picks, "server", nil
	}
	sh, _, _, err := e.exchange(ctx, v, []uint16{picks[1], picks[0]}, helloOptions{compact: compact}, nil)
	if _, ok := isRefusal(err); ok || err == nil && sh.Version != v {
		return picks, "unknown", nil
	}
	if err != nil {
		return nil, "", err
	}
	switch sh.Suite {
	case picks[0]:
		return picks, "server", nil
	case picks[1]:
		// The server takes the client's order: list the suites strongest first, as a client
		// that prefers strength would get them.
		rev := slices.Clone(picks)
		slices.Reverse(rev)
		return rev, "client", nil
	}
	return picks, "unknown", nil
}

// order runs iterative removal over a known set of accepted suites (k-1 handshakes).
func (e *enumerator) order(ctx context.Context, v uint16, set []uint16) ([]uint16, error) {
	rest := slices.Clone(set)
	var out []uint16
	for len(rest) > 1 {
		sh, _, _, err := e.exchange(ctx, v, rest, helloOptions{compact: true}, nil)
		if _, ok := isRefusal(err); ok {
			return set, nil
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(rest, sh.Suite) {
			return set, nil
		}
		out = append(out, sh.Suite)
		rest = slices.DeleteFunc(rest, func(id uint16) bool { return id == sh.Suite })
	}
	return append(out, rest...), nil
}

func chunksOf(ids []uint16, n int) [][]uint16 {
	var out [][]uint16
	for len(ids) > 0 {
		k := min(n, len(ids))
		out = append(out, ids[:k])
		ids = ids[k:]
	}
	return out
}

// without returns offer minus the compact set (already tried) and the picks.
func without(offer, picked []uint16) []uint16 {
	compact := compactSuites(offer)
	var out []uint16
	for _, id := range offer {
		if !slices.Contains(compact, id) && !slices.Contains(picked, id) {
			out = append(out, id)
		}
	}
	return out
}

// detailKey groups suites whose flights tell the same thing (the certificate of one key type,
// one kind of ephemeral key): one flight per group and version is read, the rest stop at the
// ServerHello.
func detailKey(s Suite) string {
	switch s.Auth {
	case "RSA", "DSS", "ECDSA", "anon":
	default:
		return ""
	}
	k := s.Kex + "/" + s.Auth
	if s.Export {
		k += "/export"
	}
	return k
}

// noteHello records what one accepted ServerHello (and its flight, if read) says.
func (e *enumerator) noteHello(v uint16, sh *serverHello, fl *flight, ferr error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v != versionTLS13 {
		has := sh.has(extRenegotiationInfo)
		if prev, ok := e.reneg[v]; ok {
			has = has && prev
		}
		e.reneg[v] = has
		e.compression = e.compression || sh.Compression != 0
		e.heartbeat = e.heartbeat || sh.has(extHeartbeat)
		e.ems = e.ems || sh.has(extExtendedMaster)
	} else if sh.Group != 0 {
		e.groups13[groupName(sh.Group)] = true
	}
	if ferr != nil {
		if e.flightErr == nil {
			e.flightErr = ferr
		}
		if errors.Is(ferr, errTooLarge) {
			e.noFlights = true // a hostile chain: do not read it again
		}
	}
	if fl == nil {
		return
	}
	s := LookupSuite(sh.Suite)
	if len(fl.Chain) > 0 {
		if c, ok := e.chains[s.Auth]; !ok || c.Version < v {
			e.chains[s.Auth] = &seenChain{Auth: s.Auth, Version: v, Chain: fl.Chain, OCSP: fl.OCSP}
		}
	}
	if fl.SKE == nil {
		return
	}
	kp, ok := parseSKE(s, fl.SKE)
	if !ok {
		return
	}
	info := e.kexInfo[v]
	if info == nil {
		info = map[string]string{}
		e.kexInfo[v] = info
	}
	switch {
	case kp.DHBits > 0:
		info["DH"] = fmt.Sprintf("dh %d", kp.DHBits)
		if e.dhBits == 0 || kp.DHBits < e.dhBits {
			e.dhBits = kp.DHBits
		}
	case kp.Curve != 0:
		name := groupName(kp.Curve)
		info["ECDH"] = name
		e.curves[name] = true
		if curveBits(kp.Curve) < 224 {
			e.weakCurves[name] = true
		}
	case kp.Explicit:
		info["ECDH"] = "explicit curve"
		e.explicitCurve = true
	case kp.ExportRSA > 0:
		info["RSA_EXPORT"] = fmt.Sprintf("rsa %d (export)", kp.ExportRSA)
		if e.exportRSA == 0 || kp.ExportRSA < e.exportRSA {
			e.exportRSA = kp.ExportRSA
		}
	}
}

// fallback tests TLS_FALLBACK_SCSV (RFC 7507) when the server offers a version below TLS 1.2:
// a ClientHello for a lower version it accepts, carrying the SCSV, must be refused with
// inappropriate_fallback, or an attacker can force a downgrade.
func (e *enumerator) fallback(ctx context.Context, rep *Report) error {
	var offered []*Protocol
	low := false
	for _, p := range rep.Protocols {
		if p.Offered && p.Version >= versionSSL3 {
			offered = append(offered, p)
			low = low || p.Version < versionTLS12
		}
	}
	if !low || len(offered) < 2 {
		rep.FallbackSCSV = "not-needed"
		return nil
	}
	// The highest version at or below TLS 1.2 that is not the server's best.
	var fp *Protocol
	for i := len(offered) - 2; i >= 0; i-- {
		if offered[i].Version <= versionTLS12 {
			fp = offered[i]
			break
		}
	}
	var suites []uint16
	for _, s := range fp.Suites {
		suites = append(suites, s.ID)
	}
	sh, _, _, err := e.exchange(ctx, fp.Version, suites, helloOptions{fallback: true}, nil)
	if r, ok := isRefusal(err); ok {
		if r.alert == alertInappropriateFallback {
			rep.FallbackSCSV = "honoured"
		} else {
			rep.FallbackSCSV, rep.FallbackDetail = "unknown", r.Error()
		}
		return nil
	}
	if err != nil {
		return err
	}
	rep.FallbackSCSV = "missing"
	rep.FallbackDetail = fmt.Sprintf("a %s ClientHello with TLS_FALLBACK_SCSV was accepted (%s) although the server supports %s",
		fp.Name, LookupSuite(sh.Suite).Name, offered[len(offered)-1].Name)
	return nil
}

// finish fills the per-suite key exchange and the summaries.
func (e *enumerator) finish(rep *Report) {
	e.mu.Lock()
	defer e.mu.Unlock()
	certBits := map[string]string{}
	for auth, c := range e.chains {
		if info := keyInfo(c.Chain); info != "" {
			certBits[auth] = info
		}
	}
	fsAll, fsAny, fsPreferred := true, false, false
	for _, p := range rep.Protocols {
		for i := range p.Suites {
			s := &p.Suites[i]
			info := e.kexInfo[p.Version]
			switch {
			case p.Version == versionTLS13:
				// Filled from the groups chosen below.
			case s.Export && s.Kex == "RSA":
				s.KexInfo = info["RSA_EXPORT"]
			case strings.HasPrefix(s.Kex, "DHE") || s.Kex == "DH" && s.Anon:
				s.KexInfo = info["DH"]
			case strings.HasPrefix(s.Kex, "ECDHE") || s.Kex == "ECDH" && s.Anon:
				s.KexInfo = info["ECDH"]
			case s.Kex == "RSA" || s.Kex == "DH" || s.Kex == "ECDH":
				s.KexInfo = certBits[s.Auth]
			}
			fsAny = fsAny || s.FS
			fsAll = fsAll && s.FS
			if i == 0 && s.FS {
				fsPreferred = true
			}
		}
	}
	switch {
	case fsAll && fsAny:
		rep.KeyExchange.ForwardSecrecy = "all"
	case fsPreferred:
		rep.KeyExchange.ForwardSecrecy = "preferred"
	case fsAny:
		rep.KeyExchange.ForwardSecrecy = "some"
	default:
		rep.KeyExchange.ForwardSecrecy = "none"
	}
	if g := sortedKeys(e.groups13); len(g) > 0 {
		rep.KeyExchange.TLS13Groups = g
		if p := rep.Protocol(versionTLS13); p != nil {
			for i := range p.Suites {
				p.Suites[i].KexInfo = strings.Join(g, ", ")
			}
		}
	}
	rep.KeyExchange.DHBits = e.dhBits
	rep.KeyExchange.Curves = sortedKeys(e.curves)
	rep.KeyExchange.WeakCurves = sortedKeys(e.weakCurves)
	rep.KeyExchange.ExportRSABits = e.exportRSA
	rep.KeyExchange.ExplicitCurve = e.explicitCurve
	rep.SecureRenegotiation = len(e.reneg) > 0
	for _, ok := range e.reneg {
		rep.SecureRenegotiation = rep.SecureRenegotiation && ok
	}
	rep.Compression, rep.Heartbeat, rep.ExtendedMasterSecret = e.compression, e.heartbeat, e.ems
	for _, c := range e.chains {
		rep.Flights = append(rep.Flights, c)
	}
	sort.Slice(rep.Flights, func(i, j int) bool { return rep.Flights[i].Auth > rep.Flights[j].Auth }) // RSA before ECDSA
	rep.FlightError = e.flightErr
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var groupNames = map[uint16]string{
	1: "sect163k1", 2: "sect163r1", 3: "sect163r2", 4: "sect193r1", 5: "sect193r2", 6: "sect233k1", 7: "sect233r1",
	8: "sect239k1", 9: "sect283k1", 10: "sect283r1", 11: "sect409k1", 12: "sect409r1", 13: "sect571k1", 14: "sect571r1",
	15: "secp160k1", 16: "secp160r1", 17: "secp160r2", 18: "secp192k1", 19: "secp192r1", 20: "secp224k1", 21: "secp224r1",
	22: "secp256k1", 23: "secp256r1", 24: "secp384r1", 25: "secp521r1", 26: "brainpoolP256r1", 27: "brainpoolP384r1",
	28: "brainpoolP512r1", 29: "x25519", 30: "x448", 31: "brainpoolP256r1tls13", 32: "brainpoolP384r1tls13",
	33: "brainpoolP512r1tls13", 256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144", 260: "ffdhe8192",
	0x11ec: "X25519MLKEM768",
}

func groupName(id uint16) string {
	if n, ok := groupNames[id]; ok {
		return n
	}
	return fmt.Sprintf("group 0x%04x", id)
}

// curveBits is a named curve's field size (security is half of it).
func curveBits(id uint16) int {
	n := groupName(id)
	for _, p := range []string{"sect", "secp", "brainpoolP"} {
		if strings.HasPrefix(n, p) {
			var b int
			fmt.Sscanf(strings.TrimPrefix(n, p), "%d", &b)
			return b
		}
	}
	return 256
}
