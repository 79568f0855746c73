package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// The plugin artifact's package layer (MCPG's media type) and the files a package may hold.
const packageMediaType = "application/vnd.mcpg.plugin.package.v1+zip"

const maxManifestBytes = 4 << 20

var allowedFiles = map[string]bool{
	"plugin.yaml": true, "plugin.so": true, "plugin.sig": true, "plugin.so.sig": true, "LICENSE": true,
}

type fetcher struct {
	request request
	options []remote.Option
}

func newFetcher(r request) *fetcher {
	keychain := authn.DefaultKeychain
	if r.registryConfig != "" {
		// The default keychain reads $DOCKER_CONFIG/config.json.
		os.Setenv("DOCKER_CONFIG", r.registryConfig)
	}
	return &fetcher{request: r, options: []remote.Option{remote.WithAuthFromKeychain(keychain)}}
}

func (f *fetcher) reference(artifact string) (name.Digest, error) {
	var options []name.Option
	if parsed, err := name.ParseReference(artifact); err == nil && f.request.insecure[parsed.Context().RegistryStr()] {
		options = append(options, name.Insecure)
	}
	ref, err := name.NewDigest(artifact, options...)
	if err != nil {
		return ref, fmt.Errorf("not a digest-pinned reference (%v); gateways fetch only <registry>/<repository>@sha256:<digest>", err)
	}
	return ref, nil
}

// packageLayer reads the pinned manifest (the registry's bytes must hash to the pinned digest) and finds the one
// package layer in it.
func (f *fetcher) packageLayer(ctx context.Context, ref name.Digest) (v1.Descriptor, error) {
	descriptor, err := remote.Get(ref, append(f.options, remote.WithContext(ctx))...)
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("reading the manifest: %v; check the registry is reachable from the pod and the artifact exists", err)
	}
	if len(descriptor.Manifest) > maxManifestBytes {
		return v1.Descriptor{}, fmt.Errorf("the manifest is %d bytes, more than %d; this is not a plugin artifact", len(descriptor.Manifest), maxManifestBytes)
	}
	manifest, err := v1.ParseManifest(bytes.NewReader(descriptor.Manifest))
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("the manifest is not an OCI image manifest: %v", err)
	}
	var found []v1.Descriptor
	for _, layer := range manifest.Layers {
		if string(layer.MediaType) == packageMediaType {
			found = append(found, layer)
		}
	}
	if len(found) != 1 {
		return v1.Descriptor{}, fmt.Errorf("expected exactly one layer of type %s, found %d; this is not a plugin artifact", packageMediaType, len(found))
	}
	if found[0].Size > f.request.maxBytes {
		return v1.Descriptor{}, fmt.Errorf("the package is %d bytes, more than --max-bytes %d", found[0].Size, f.request.maxBytes)
	}
	return found[0], nil
}

// download streams the package into a file, its digest checked as it is read.
func (f *fetcher) download(ctx context.Context, ref name.Digest, layer v1.Descriptor, into string) (err error) {
	blob, err := remote.Layer(ref.Context().Digest(layer.Digest.String()), append(f.options, remote.WithContext(ctx))...)
	if err != nil {
		return fmt.Errorf("opening the package layer: %v", err)
	}
	reader, err := blob.Compressed()
	if err != nil {
		return fmt.Errorf("reading the package layer: %v", err)
	}
	defer reader.Close()
	file, err := os.Create(into)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, file.Close()) }()
	written, err := io.Copy(file, io.LimitReader(reader, layer.Size+1))
	if err != nil {
		return fmt.Errorf("reading the package layer: %v; the registry served bytes that do not match %s", err, layer.Digest)
	}
	if written != layer.Size {
		return fmt.Errorf("the package layer is %d bytes, not the %d its manifest says", written, layer.Size)
	}
	return nil
}

// unpack writes the package's files into dir and returns the sha256 of plugin.so.
func unpack(zipPath, dir string, maxBytes int64) (string, error) {
	archive, err := zip.OpenReader(zipPath)
	if err != nil {
		return "", fmt.Errorf("the package is not a zip archive: %v", err)
	}
	defer archive.Close()
	binary := ""
	for _, entry := range archive.File {
		if !allowedFiles[entry.Name] {
			return "", fmt.Errorf("the package holds %q, which a plugin package may not", entry.Name)
		}
		sum, err := extract(entry, filepath.Join(dir, entry.Name), maxBytes)
		if err != nil {
			return "", fmt.Errorf("%s: %v", entry.Name, err)
		}
		if entry.Name == "plugin.so" {
			binary = sum
		}
	}
	if binary == "" {
		return "", errors.New("the package has no plugin.so")
	}
	return binary, nil
}

func extract(entry *zip.File, path string, maxBytes int64) (sum string, err error) {
	source, err := entry.Open()
	if err != nil {
		return "", err
	}
	defer source.Close()
	target, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o444)
	if err != nil {
		return "", err
	}
	defer func() { err = errors.Join(err, target.Close()) }()
	hash := sha256.New()
	written, err := io.Copy(io.MultiWriter(target, hash), io.LimitReader(source, maxBytes+1))
	if err != nil {
		return "", err
	}
	if written > maxBytes {
		return "", fmt.Errorf("larger than --max-bytes %d unpacked", maxBytes)
	}
	return "sha256:" + hex.EncodeToString(hash.Sum(nil)), nil
}

// fetch unpacks one plugin into a fresh folder beside its target and moves it into place only once every check
// passed, so the gateway never sees a partial or unchecked plugin.
func (f *fetcher) fetch(ctx context.Context, p plugin) (string, error) {
	ref, err := f.reference(p.artifact)
	if err != nil {
		return "", err
	}
	layer, err := f.packageLayer(ctx, ref)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p.into), 0o755); err != nil {
		return "", err
	}
	work, err := os.MkdirTemp(filepath.Dir(p.into), ".fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	staged := filepath.Join(work, "plugin")
	if err := os.Mkdir(staged, 0o755); err != nil {
		return "", err
	}
	zipPath := filepath.Join(work, "package.zip")
	if err := f.download(ctx, ref, layer, zipPath); err != nil {
		return "", err
	}
	sum, err := unpack(zipPath, staged, f.request.maxBytes)
	if err != nil {
		return "", err
	}
	if sum != p.digest {
		return "", fmt.Errorf("plugin.so is %s, not the %s the plugin set published; the artifact changed since it was verified", sum, p.digest)
	}
	if err := os.RemoveAll(p.into); err != nil {
		return "", err
	}
	if err := os.Rename(staged, p.into); err != nil {
		return "", err
	}
	return sum, nil
}
