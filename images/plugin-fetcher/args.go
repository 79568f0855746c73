package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const usage = `usage: plugin-fetcher fetch (--artifact <ref@sha256:...> --digest sha256:<hex of plugin.so> --into <dir>)...
         [--insecure-registry <host[:port]>]... [--registry-config <dir with config.json>]
         [--max-bytes <package limit, default 67108864>] [--timeout <duration, default 5m>]
`

// plugin is one --artifact/--digest/--into triple, in the order given.
type plugin struct {
	artifact string
	digest   string
	into     string
}

type request struct {
	plugins        []plugin
	insecure       map[string]bool
	registryConfig string
	maxBytes       int64
	timeout        time.Duration
}

func isSha256(value string) bool {
	hex, ok := strings.CutPrefix(value, "sha256:")
	if !ok || len(hex) != 64 {
		return false
	}
	for _, c := range hex {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// parseArgs reads `fetch` and its flags; each --artifact opens a plugin that --digest and --into complete.
func parseArgs(args []string) (request, error) {
	out := request{insecure: map[string]bool{}, maxBytes: 64 << 20, timeout: 5 * time.Minute}
	if len(args) == 0 || args[0] != "fetch" {
		return out, errors.New(`the first argument must be the command "fetch"`)
	}
	rest := args[1:]
	for len(rest) > 0 {
		flag := rest[0]
		if len(rest) < 2 {
			return out, fmt.Errorf("%s needs a value", flag)
		}
		if err := out.set(flag, rest[1]); err != nil {
			return out, err
		}
		rest = rest[2:]
	}
	return out, out.complete()
}

func (r *request) current(flag string) (*plugin, error) {
	if len(r.plugins) == 0 {
		return nil, fmt.Errorf("%s comes after the --artifact it belongs to", flag)
	}
	return &r.plugins[len(r.plugins)-1], nil
}

func (r *request) set(flag, value string) error {
	switch flag {
	case "--artifact":
		r.plugins = append(r.plugins, plugin{artifact: value})
	case "--digest", "--into":
		p, err := r.current(flag)
		if err != nil {
			return err
		}
		if flag == "--digest" {
			p.digest = value
		} else {
			p.into = value
		}
	case "--insecure-registry":
		r.insecure[value] = true
	case "--registry-config":
		r.registryConfig = value
	case "--max-bytes":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 1024 {
			return fmt.Errorf("--max-bytes must be a whole number of bytes, at least 1024 (got %q)", value)
		}
		r.maxBytes = n
	case "--timeout":
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("--timeout must be a positive duration such as 5m (got %q)", value)
		}
		r.timeout = d
	default:
		return fmt.Errorf("unknown flag %s", flag)
	}
	return nil
}

func (r *request) complete() error {
	if len(r.plugins) == 0 {
		return errors.New("name at least one plugin with --artifact, --digest and --into")
	}
	for _, p := range r.plugins {
		if !isSha256(p.digest) {
			return fmt.Errorf("%s: --digest must be sha256:<64 lower-case hex digits> of plugin.so (got %q)", p.artifact, p.digest)
		}
		if !filepath.IsAbs(p.into) {
			return fmt.Errorf("%s: --into must be an absolute directory (got %q)", p.artifact, p.into)
		}
	}
	return nil
}
