package checks

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/telesra/telesra/templates/datafile"
)

// maxTargetsFile bounds a targets file; one target per line never needs more.
const maxTargetsFile = 4 << 20

// LoadTargetsFile reads a targets file: one target per line, blank lines and # comments ignored.
// Errors name the file and line.
func LoadTargetsFile(path string) ([]Target, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read targets file: %w", err)
	}
	if fi.Size() > maxTargetsFile {
		return nil, &datafile.FileError{File: path, Msg: fmt.Sprintf("file is larger than %d MiB", maxTargetsFile>>20)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read targets file: %w", err)
	}
	return ParseTargetsFile(path, data)
}

// ParseTargetsFile parses the text of a targets file.
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
