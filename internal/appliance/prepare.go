package appliance

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PrepareOptions tune Prepare.
type PrepareOptions struct {
	Host Host
	// Progress receives progress lines (nil: none).
	Progress io.Writer
	// UseInstalled takes configuration files from the host even where they
	// differ from the package's version.
	UseInstalled bool
	// Modules are kernel modules to add to the appliance's default set.
	Modules []string
}

// DefaultExcludes are the paths Prepare leaves out of every appliance:
// documentation, manuals, translations, the host's kernels and modules.
var DefaultExcludes = []string{
	"/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/locale/*",
	"/usr/share/lintian/*", "/usr/share/bug/*", "/usr/share/gitweb/*", "/boot/*",
	"/lib/modules/*", "/usr/lib/modules/*", "/lib/firmware/*", "/usr/lib/firmware/*",
	"/var/cache/*", "/var/log/*", "/usr/share/initramfs-tools/*", "/etc/initramfs-tools/*",
}

// Prepare resolves packages on the host and writes an appliance
// description into out (replaced atomically): packages, excludefiles, and
// base.tar.gz holding the packages' configuration files as the packages
// ship them.
func Prepare(ctx context.Context, pkgs []string, out string, o PrepareOptions) error {
	if len(pkgs) == 0 {
		return fmt.Errorf("no packages given")
	}
	if err := replaceable(out, "packages"); err != nil {
		return err
	}
	pr := newProgress(o.Progress)
	start := time.Now()
	be, err := OpenBackend(o.Host)
	if err != nil {
		return err
	}
	closure, missing, err := be.Resolve(ctx, pkgs)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("not installed on this host: %s (install them first, e.g. with the host's package manager, then prepare again)", strings.Join(missing, ", "))
	}
	pr.stage("resolved %d packages (%d with dependencies) through %s in %v", len(pkgs), len(closure), be.Name(), time.Since(start).Round(time.Millisecond))
	// Configuration files: the host's copy where it matches the package's
	// checksum, else the package's own.
	type conf struct {
		file File
		pkg  Package
	}
	var confs []conf
	for _, p := range closure {
		pf, err := be.Files(ctx, []Package{p})
		if err != nil {
			return err
		}
		for _, f := range pf {
			if f.Config {
				confs = append(confs, conf{f, p})
			}
		}
	}
	scratch, err := os.MkdirTemp("", "govirt-prepare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	type member struct {
		path string // appliance path
		src  string // where to read it
		mode fs.FileMode
	}
	var members []member
	fetch := map[string][]string{} // package -> files needing the payload
	pkgOf := map[string]Package{}
	for _, c := range confs {
		src := o.Host.path(c.file.Path)
		if c.file.Source != "" {
			src = o.Host.path(c.file.Source)
		}
		st, err := os.Lstat(src)
		if err == nil && !st.Mode().IsRegular() {
			continue
		}
		if err == nil && (o.UseInstalled || digestMatches(src, c.file.Digest)) {
			members = append(members, member{c.file.Path, src, st.Mode()})
			continue
		}
		key := c.pkg.String()
		fetch[key] = append(fetch[key], c.file.Path)
		pkgOf[key] = c.pkg
	}
	keys := make([]string, 0, len(fetch))
	for k := range fetch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pr.stage("fetching %s for its original configuration files (%s)", k, strings.Join(fetch[k], ", "))
		if err := be.Pristine(ctx, pkgOf[k], fetch[k], scratch); err != nil {
			return fmt.Errorf("%w (or prepare with --use-installed to take the host's copies)", err)
		}
		for _, f := range fetch[k] {
			src := filepath.Join(scratch, f)
			if st, err := os.Lstat(src); err == nil && st.Mode().IsRegular() {
				members = append(members, member{f, src, st.Mode()})
			}
		}
	}
	sort.Slice(members, func(i, j int) bool { return members[i].path < members[j].path })

	if err := os.MkdirAll(filepath.Dir(filepath.Clean(out)), 0o755); err != nil {
		return fmt.Errorf("prepare %s: %w", out, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(out)), "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return fmt.Errorf("prepare %s: %w", out, err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	os.Chmod(tmp, 0o755)
	names := dedupSorted(pkgs)
	if err := os.WriteFile(filepath.Join(tmp, "packages"), []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	var ex strings.Builder
	for _, e := range DefaultExcludes {
		ex.WriteString("-" + e + "\n")
	}
	if err := os.WriteFile(filepath.Join(tmp, "excludefiles"), []byte(ex.String()), 0o644); err != nil {
		return err
	}
	if len(o.Modules) > 0 {
		if err := os.WriteFile(filepath.Join(tmp, "modules"), []byte(strings.Join(o.Modules, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	if len(members) > 0 {
		f, err := os.Create(filepath.Join(tmp, "base.tar.gz"))
		if err != nil {
			return err
		}
		zw := gzip.NewWriter(f)
		tw := tar.NewWriter(zw)
		mtime := time.Unix(0, 0)
		if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
			if v, err := strconv.ParseInt(s, 10, 64); err == nil {
				mtime = time.Unix(v, 0)
			}
		}
		for _, m := range members {
			b, err := os.ReadFile(m.src)
			if err != nil {
				f.Close()
				return fmt.Errorf("configuration file %s: %w", m.src, err)
			}
			h := &tar.Header{Name: "./" + strings.TrimPrefix(m.path, "/"), Mode: int64(m.mode.Perm()), Size: int64(len(b)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
			if m.mode&fs.ModeSetuid != 0 {
				h.Mode |= 0o4000
			}
			if m.mode&fs.ModeSetgid != 0 {
				h.Mode |= 0o2000
			}
			if err := tw.WriteHeader(h); err != nil {
				f.Close()
				return err
			}
			if _, err := tw.Write(b); err != nil {
				f.Close()
				return err
			}
		}
		err = tw.Close()
		if err == nil {
			err = zw.Close()
		}
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write base.tar.gz: %w", err)
		}
	}
	if err := replaceDir(tmp, out); err != nil {
		return err
	}
	done = true
	pr.stage("wrote %s: %d packages, %d configuration files, in %v", out, len(names), len(members), time.Since(start).Round(time.Millisecond))
	return nil
}

func dedupSorted(in []string) []string {
	m := map[string]bool{}
	var out []string
	for _, s := range in {
		if !m[s] {
			m[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// digestMatches reports whether the file has the package's checksum
// ("md5:hex", "sha256:hex", ...). No checksum recorded: no match.
func digestMatches(p, digest string) bool {
	algo, want, ok := strings.Cut(digest, ":")
	if !ok || want == "" {
		return false
	}
	var h hash.Hash
	switch algo {
	case "md5":
		h = md5.New()
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return false
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == strings.ToLower(want)
}
