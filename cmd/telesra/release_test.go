package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telesra/telesra/checks/checkstest"
)

// The release configuration is one goreleaser accepts, and it ships both programs: telesra
// finds its web worker beside itself.
func TestReleaseConfig(t *testing.T) {
	root := filepath.Join("..", "..")
	gr := os.Getenv("GORELEASER")
	if gr == "" {
		gr = checkstest.RequireBinary(t, "goreleaser")
	}
	cmd := exec.Command(gr, "check")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("goreleaser check: %v\n%s", err, out)
	}
	cfg, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	docker, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"main: ./cmd/telesra\n", "main: ./cmd/telesra-web\n", "-X main.version="} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf(".goreleaser.yaml lacks %q", want)
		}
	}
	for _, want := range []string{"./cmd/telesra ", "./cmd/telesra-web", "/out/telesra /out/telesra-web /usr/local/bin/"} {
		if !strings.Contains(string(docker), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
