package appliance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/govirt/govirt/internal/cpio"
)

//go:embed guestinit/*.go
var initSources embed.FS

// CacheDir returns govirt's cache folder: $GOVIRT_CACHE, else
// $XDG_CACHE_HOME/govirt, else ~/.cache/govirt.
func CacheDir() string {
	if d := os.Getenv("GOVIRT_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "govirt")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "govirt-cache")
	}
	return filepath.Join(home, ".cache", "govirt")
}

var initHashOnce = sync.OnceValue(func() string {
	h := sha256.New()
	fs.WalkDir(initSources, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, _ := initSources.ReadFile(p)
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return nil
	})
	fmt.Fprintf(h, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return hex.EncodeToString(h.Sum(nil))[:16]
})

// InitBinary returns the path of the appliance's init: $GOVIRT_INIT, a
// govirt-init installed beside the running program or in
// /usr/lib/govirt, else one compiled from the embedded sources with the Go
// toolchain (CGO_ENABLED=0) and cached under CacheDir().
func InitBinary(ctx context.Context) (string, error) {
	if p := os.Getenv("GOVIRT_INIT"); p != "" {
		return p, nil
	}
	var cands []string
	if exe, err := os.Executable(); err == nil {
		cands = append(cands, filepath.Join(filepath.Dir(exe), "govirt-init"))
	}
	cands = append(cands, "/usr/lib/govirt/govirt-init", "/usr/libexec/govirt/govirt-init")
	for _, c := range cands {
		if isFile(c) {
			return c, nil
		}
	}
	dir := filepath.Join(CacheDir(), "appliance")
	out := filepath.Join(dir, "govirt-init-"+initHashOnce())
	if isFile(out) {
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("init cache: %w", err)
	}
	gobin, err := goTool()
	if err != nil {
		return "", err
	}
	src, err := os.MkdirTemp(dir, ".init-src-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(src)
	files := map[string]string{
		"go.mod":  "module govirtinit\n\ngo 1.22\n",
		"main.go": "package main\n\nimport \"govirtinit/guestinit\"\n\nfunc main() { guestinit.Main() }\n",
	}
	fs.WalkDir(initSources, "guestinit", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, "_test.go") {
			b, _ := initSources.ReadFile(p)
			files[p] = string(b)
		}
		return nil
	})
	for name, body := range files {
		if err := os.MkdirAll(filepath.Join(src, filepath.Dir(name)), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			return "", err
		}
	}
	tmp := out + ".tmp" + fmt.Sprint(os.Getpid())
	cmd := exec.CommandContext(ctx, gobin, "build", "-trimpath", "-ldflags=-s -w", "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=", "GOTOOLCHAIN=local", "GOOS=linux")
	if b, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("compile the appliance init: %v: %s", err, bytes.TrimSpace(b))
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", err
	}
	// Older builds of the init (other sources or Go versions) go away.
	old, _ := filepath.Glob(filepath.Join(dir, "govirt-init-*"))
	for _, o := range old {
		if o != out && !strings.Contains(filepath.Base(o), ".tmp") {
			os.Remove(o)
		}
	}
	return out, nil
}

func goTool() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	for _, p := range []string{filepath.Join(runtime.GOROOT(), "bin", "go"), "/usr/local/go/bin/go", "/usr/lib/go/bin/go"} {
		if isFile(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("no govirt-init found and no Go toolchain to build it: install govirt-init beside govirt or in /usr/lib/govirt, or set GOVIRT_INIT")
}

// extractRPM writes the regular files of an rpm package that keep accepts
// into dir, through rpm2cpio.
func extractRPM(ctx context.Context, rpmFile, dir string, keep func(string) bool) error {
	cmd := exec.CommandContext(ctx, "rpm2cpio", rpmFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("rpm2cpio: %w", err)
	}
	r := cpio.NewReader(out)
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			cmd.Wait()
			return fmt.Errorf("rpm2cpio %s: %w", rpmFile, err)
		}
		name := strings.TrimPrefix(filepath.Clean("/"+h.Name), "/")
		if !h.Mode.IsRegular() || !keep(name) {
			continue
		}
		dst := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		b, err := io.ReadAll(r)
		if err != nil {
			cmd.Wait()
			return err
		}
		if err := os.WriteFile(dst, b, h.Mode.Perm()); err != nil {
			cmd.Wait()
			return err
		}
	}
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("rpm2cpio %s: %v: %s", rpmFile, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}
