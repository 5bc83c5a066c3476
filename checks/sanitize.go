package checks

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean makes untrusted text (a banner, a header, a page title) safe to store and print: control
// characters, including the ESC that starts terminal escape sequences, become visible \xNN
// escapes; invalid UTF-8 becomes U+FFFD; the result is cut to max runes with an ellipsis. A
// hostile server must never write to the user's terminal or break a report's layout.
func Clean(s string, max int) string { return clean(s, max, false) }

// CleanText is Clean for multi-line text (a finding's detail): newlines survive.
func CleanText(s string, max int) string { return clean(s, max, true) }

func clean(s string, max int, keepNewlines bool) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		if max > 0 && n >= max {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0, r == '\u2028', r == '\u2029', unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FirstLine returns the first line of s (without CR/LF), cleaned and cut to max runes.
func FirstLine(s string, max int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return Clean(s, max)
}
