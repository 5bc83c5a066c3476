package nuclei

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/projectdiscovery/govaluate"
	nucleidsl "github.com/projectdiscovery/nuclei/v3/pkg/operators/common/dsl"
)

// allowedHelpers are the nuclei DSL helpers a template may call: each computes on its arguments
// alone (strings, encodings, hashes, ciphers, compression, numbers, time, comparison, local
// randomness) and touches neither the network nor this machine's files, programs or environment.
// Each was read in github.com/projectdiscovery/dsl v0.8.20 and nuclei v3.11.1's
// pkg/operators/common/dsl. It is an allowlist: a helper a later nuclei adds is refused until
// someone reads it and adds it here (TestHelperRegistryVetted fails until then).
var allowedHelpers = setOf(
	// strings
	"concat", "contains", "contains_all", "contains_any", "count", "ends_with", "equals_any", "index",
	"join", "len", "line_ends_with", "line_starts_with", "padding", "remove_bad_chars", "repeat",
	"replace", "replace_regex", "reverse", "sort", "split", "starts_with", "substr", "to_lower",
	"to_title", "to_upper", "trim", "trim_left", "trim_prefix", "trim_right", "trim_space",
	"trim_suffix", "uniq", "regex", "regex_all", "regex_any",
	// encodings and conversions
	"base64", "base64_decode", "base64_py", "bin_to_dec", "dec_to_hex", "hex_decode", "hex_encode",
	"hex_to_dec", "html_escape", "html_unescape", "json_minify", "json_prettify", "oct_to_dec",
	"to_bool", "to_number", "to_string", "unpack", "url_decode", "url_encode", "xor", "ip_format",
	"getNetworkPort",
	// compression, in memory
	"deflate", "gzip", "gzip_decode", "gzip_mtime", "inflate", "zip", "zlib", "zlib_decode",
	// hashes and ciphers
	"aes_cbc", "aes_gcm", "generate_jwt", "hmac", "md5", "mmh3", "rsa_encrypt", "sha1", "sha256",
	"sha512",
	// comparison and recognition (embedded data: wappalyzer's fingerprints, a cookie-secret wordlist)
	"compare_versions", "cookie_unsign", "wappalyzer",
	// time and local randomness
	"date_time", "to_unix_time", "unix_time", "rand_base", "rand_char", "rand_int", "rand_ip",
	"rand_text_alpha", "rand_text_alphanumeric", "rand_text_numeric",
)

// refusedHelpers say why the helpers known to reach beyond the template's own data are refused.
// Any other helper not in allowedHelpers is refused as not vetted.
var refusedHelpers = map[string]string{
	"jarm":                   "it opens TLS connections to the address it is given, outside telesra's scope guard",
	"resolve":                "it queries public DNS resolvers (1.1.1.1, 8.8.8.8), not the declared target",
	"public_ip":              "it asks a public web service (checkip.amazonaws.com) for this machine's address",
	"llm_prompt":             "it sends its prompt to OpenAI's API",
	"wait_for":               "it sleeps for as long as the template says, beyond the scan's time budget",
	"generate_java_gadget":   "it builds deserialisation exploits that make the target run a command or contact another host",
	"generate_dotnet_gadget": "it builds deserialisation exploits that make the target run a command or contact another host",
	"print_debug":            "it writes to nuclei's own log, outside telesra's output",
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// helperTable is nuclei's helper registry as telesra judges it.
type helperTable struct {
	// stubs has a function for every name nuclei registers (so that govaluate parses an
	// expression exactly as nuclei's compile would); each returns its own name, and only ever
	// runs in parseCalls.
	stubs map[string]govaluate.ExpressionFunction
	// canonical maps nuclei's backwards-compatible aliases (to_upper's "toupper") to the name
	// they alias, and every other name to itself.
	canonical map[string]string
}

var helpers = sync.OnceValue(func() *helperTable {
	t := &helperTable{stubs: map[string]govaluate.ExpressionFunction{}, canonical: map[string]string{}}
	known := map[string]string{}
	for n := range allowedHelpers {
		known[n] = n
	}
	for n := range refusedHelpers {
		known[n] = n
	}
	// nuclei registers each helper also under its name without underscores.
	alias := map[string]string{}
	for n := range known {
		alias[strings.ReplaceAll(n, "_", "")] = n
	}
	for name := range nucleidsl.HelperFunctions {
		t.stubs[name] = func(...any) (any, error) { return name, nil }
		switch {
		case known[name] != "":
			t.canonical[name] = name
		case alias[name] != "":
			t.canonical[name] = alias[name]
		default:
			t.canonical[name] = name
		}
	}
	return t
})

// helperRefusal says why telesra refuses a helper, or "" when the helper is allowed.
func helperRefusal(name string) string {
	c := helpers().canonical[name]
	if c == "" {
		c = name
	}
	if allowedHelpers[c] {
		return ""
	}
	if why, ok := refusedHelpers[c]; ok {
		return why
	}
	return "telesra has not vetted it (only helpers that compute on their arguments alone are allowed)"
}

// parseCalls returns the helpers an expression calls, as nuclei's compiler would see them: the
// expression is parsed by govaluate, the parser nuclei compiles with, over a registry with
// nuclei's names. An expression that does not parse calls nothing (nuclei would not run it).
func parseCalls(expr string) []string {
	e, err := govaluate.NewEvaluableExpressionWithFunctions(expr, helpers().stubs)
	if err != nil {
		return nil
	}
	var out []string
	for _, tok := range e.Tokens() {
		if tok.Kind != govaluate.FUNCTION {
			continue
		}
		if f, ok := tok.Value.(govaluate.ExpressionFunction); ok {
			if name, err := f(); err == nil {
				out = append(out, fmt.Sprint(name))
			}
		}
	}
	return out
}

// errHelperRefused is what a refused helper returns if a template reaches it at run time.
var errHelperRefused = errors.New("refused by telesra")

// helperCallsRefused counts calls of refused helpers at run time (for tests: validation should
// have refused every template that could make one).
var helperCallsRefused atomic.Int64

// confineHelpers replaces every helper telesra does not allow, in the registry nuclei compiles
// every expression with, by one that refuses. Validation refuses templates that name such a
// helper; this catches what no reading of the template can see: an expression assembled at run
// time from a target's response or a payload file. nuclei offers no other hook, so its package
// variable is swapped (once, before the first engine compiles anything).
var confineHelpers = sync.OnceFunc(func() {
	confined := make(map[string]govaluate.ExpressionFunction, len(nucleidsl.HelperFunctions))
	for name, f := range nucleidsl.HelperFunctions {
		if helperRefusal(name) == "" {
			confined[name] = f
			continue
		}
		confined[name] = func(...any) (any, error) {
			helperCallsRefused.Add(1)
			return nil, fmt.Errorf("DSL helper %s(): %w", name, errHelperRefused)
		}
	}
	nucleidsl.HelperFunctions = confined
})

// RefusedHelperNames lists the helpers of nuclei's registry telesra refuses (for the help text
// and tests).
func RefusedHelperNames() []string {
	var out []string
	for name, c := range helpers().canonical {
		if name == c && helperRefusal(name) != "" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
