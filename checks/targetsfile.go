package checks

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/telesra/telesra/templates/datafile"
)

// ParseTargetsFile parses the text of a targets file: one target per line, blank lines and #
// comments ignored. Errors name the file and line. (The workspace reads the file, within its
// size limit.)
func ParseTargetsFile(file string, data []byte) ([]Target, error) {
	var (
		out  []Target
		errs datafile.FileErrors
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.Index(text, "#"); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		t, err := ParseTarget(text)
		if err != nil {
			errs = append(errs, &datafile.FileError{File: file, Line: line, Msg: err.Error()})
			continue
		}
		t.Source = Source{File: file, Line: line}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, &datafile.FileError{File: file, Line: line + 1, Msg: err.Error()})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, &datafile.FileError{File: file, Msg: "no targets in file"}
	}
	return out, nil
}
