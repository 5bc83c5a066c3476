package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCAFileFlag: --ca-file reaches the TLS family, and a bad file is a usage error (exit 2)
// naming the file and line.
func TestCAFileFlag(t *testing.T) {
	var got *ScanOptions
	cmd := NewCmdScan(NewFactory("test"), func(o *ScanOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--ca-file", "internal-ca.pem", "127.0.0.1:443"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Family.CAFile != "internal-ca.pem" {
		t.Errorf("FamilyOptions.CAFile = %q", got.Family.CAFile)
	}

	bad := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bad, []byte("# clinic CA\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Families(FamilyOptions{CAFile: bad})
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "ca.pem:2:") || ExitCode(err) != ExitUsage {
		t.Errorf("bad --ca-file: %v (exit %d), want a usage error naming ca.pem:2", err, ExitCode(err))
	}
}
