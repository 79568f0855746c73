package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const binaryDigest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

func TestParseArgsReadsEachPluginInOrder(t *testing.T) {
	r, err := parseArgs([]string{
		"fetch",
		"--artifact", "r.example/a@sha256:" + strings.Repeat("1", 64), "--digest", binaryDigest, "--into", "/p/a",
		"--artifact", "r.example/b@sha256:" + strings.Repeat("2", 64), "--digest", binaryDigest, "--into", "/p/b",
		"--insecure-registry", "mirror:5000", "--max-bytes", "2048", "--timeout", "30s",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.plugins) != 2 || r.plugins[1].into != "/p/b" || !r.insecure["mirror:5000"] || r.maxBytes != 2048 {
		t.Fatalf("parsed %+v", r)
	}
}

func TestParseArgsRefusesWhatTheGatewayWouldNeverSend(t *testing.T) {
	cases := map[string][]string{
		`the first argument must be the command "fetch"`: {"pull"},
		"comes after the --artifact":                     {"fetch", "--digest", binaryDigest},
		"--digest must be sha256":                        {"fetch", "--artifact", "r/a@sha256:x", "--digest", "abc", "--into", "/p"},
		"--into must be an absolute directory":           {"fetch", "--artifact", "r/a", "--digest", binaryDigest, "--into", "p"},
		"needs a value":                                  {"fetch", "--artifact"},
		"unknown flag --verbose":                         {"fetch", "--verbose", "yes"},
		"name at least one plugin":                       {"fetch"},
	}
	for want, args := range cases {
		if _, err := parseArgs(args); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: got %v, want an error containing %q", args, err, want)
		}
	}
}

func writeZip(t *testing.T, files map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "package.zip")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	archive := zip.NewWriter(out)
	for name, content := range files {
		w, err := archive.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := archive.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUnpackWritesThePackageAndHashesTheBinary(t *testing.T) {
	dir := t.TempDir()
	sum, err := unpack(writeZip(t, map[string]string{"plugin.yaml": "id: x", "plugin.so": "foo"}), dir, 1024)
	if err != nil || sum != binaryDigest {
		t.Fatalf("got %q, %v", sum, err)
	}
	if content, _ := os.ReadFile(filepath.Join(dir, "plugin.so")); string(content) != "foo" {
		t.Fatalf("plugin.so holds %q", content)
	}
}

func TestUnpackRefusesFilesOutsideThePackageLayout(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"a path out of the folder": {"../evil": "x", "plugin.so": "foo"},
		"an unknown file":          {"run.sh": "x", "plugin.so": "foo"},
		"no binary":                {"plugin.yaml": "id: x"},
		"an oversized binary":      {"plugin.so": strings.Repeat("x", 2048)},
	} {
		if _, err := unpack(writeZip(t, files), t.TempDir(), 1024); err == nil {
			t.Errorf("%s: unpacked without an error", name)
		}
	}
}
