package appliance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMatchExclude(t *testing.T) {
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"/usr/share/doc/*", "/usr/share/doc/bash/README", true}, // "*" crosses "/"
		{"/usr/share/doc/*", "/usr/share/docs", false},
		{"/usr/lib/*.a", "/usr/lib/x86_64-linux-gnu/libc.a", true},
		{"/etc/?ostname", "/etc/hostname", true},
		{"/lib/[a-c]*", "/lib/bin", true},
		{"/lib/[!a-c]*", "/lib/bin", false},
		{"/boot/*", "/boot", false},
		{"/exact", "/exact", true},
	}
	for _, c := range cases {
		if got := matchExclude(c.pattern, c.path); got != c.want {
			t.Errorf("matchExclude(%q, %q): got %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

func TestVersionLess(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"6.1.0-9-amd64", "6.1.0-10-amd64", true},
		{"6.1.0-10-amd64", "6.1.0-9-amd64", false},
		{"5.10.0-28-amd64", "6.1.0-1-amd64", true},
		{"6.1.0", "6.1.0-1", true},
		{"6.1.0-1", "6.1.0-1", false},
	}
	for _, c := range cases {
		if got := versionLess(c.a, c.b); got != c.want {
			t.Errorf("versionLess(%q, %q): got %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestDepName(t *testing.T) {
	for in, want := range map[string]string{
		"libc6 (>= 2.34)":           "libc6",
		" python3:any (>= 3.9~) ":   "python3",
		"foo [amd64]":               "foo",
		"bar <!nocheck>":            "bar",
		"libstdc++6:amd64 (>= 4.1)": "libstdc++6",
	} {
		if got := depName(in); got != want {
			t.Errorf("depName(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestDescriptionKinds(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"packages":     "bash\ncoreutils\n",
		"hostfiles":    "/etc/ld.so.cache\n/lib/lsb/*\n",
		"excludefiles": "-/usr/share/doc/*\n-/boot/*\n",
		"modules":      "xfs\nbtrfs\n",
		"empty":        "",
		".hidden":      "ignored\n",
	}
	for n, c := range files {
		os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644)
	}
	baseArchive(t, dir)
	d, err := ReadDescription(dir)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got []string, want string) {
		t.Helper()
		if g := strings.Join(got, " "); g != want {
			t.Errorf("%s: got %q, want %q", name, g, want)
		}
	}
	check("packages", d.Packages, "bash coreutils")
	check("hostfiles", d.HostFiles, "/etc/ld.so.cache /lib/lsb/*")
	check("excludes", d.Excludes, "/usr/share/doc/* /boot/*")
	check("modules", d.Modules, "xfs btrfs")
	if len(d.Bases) != 1 || filepath.Base(d.Bases[0]) != "zz-extra.tar.gz" {
		t.Errorf("bases: got %v", d.Bases)
	}
	for name, content := range map[string]string{
		"bad-exclude": "-/ok\n/not-an-exclusion\n",
		"bad-kind":    "!what\n",
		"cpio":        "070701000000",
	} {
		d2 := t.TempDir()
		os.WriteFile(filepath.Join(d2, "x"), []byte(content), 0o644)
		if name == "bad-exclude" {
			os.WriteFile(filepath.Join(d2, "x"), []byte(content), 0o644)
		}
		if _, err := ReadDescription(d2); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ReadDescription(t.TempDir()); err == nil || !strings.Contains(err.Error(), "prepare") {
		t.Errorf("empty description: got %v, want a hint to run prepare", err)
	}
}

func TestFindKernel(t *testing.T) {
	h := newFakeHost(t)
	// A newer kernel without modules is skipped, so is a debug one.
	writeFile(t, filepath.Join(h.root, "boot/vmlinuz-7.0.0-1-amd64"), strings.Repeat("K", 20000), 0o644)
	writeFile(t, filepath.Join(h.root, "boot/vmlinuz-6.2.0-1+debug"), strings.Repeat("K", 20000), 0o644)
	writeFile(t, filepath.Join(h.root, "lib/modules/6.2.0-1+debug/modules.dep"), "", 0o644)
	writeFile(t, filepath.Join(h.root, "boot/vmlinuz-6.1.0-100-test"), strings.Repeat("K", 20000), 0o644)
	writeFile(t, filepath.Join(h.root, "lib/modules/6.1.0-100-test/modules.dep"), "", 0o644)
	writeFile(t, filepath.Join(h.root, "boot/vmlinuz-6.1.0-101-tiny"), "K", 0o644)
	writeFile(t, filepath.Join(h.root, "lib/modules/6.1.0-101-tiny/modules.dep"), "", 0o644)
	k, err := FindKernel(Host{Root: h.root}, Kernel{})
	if err != nil {
		t.Fatal(err)
	}
	if k.Version != "6.1.0-100-test" {
		t.Errorf("kernel: got %s, want 6.1.0-100-test (newest with modules, not debug, not tiny)", k.Version)
	}
	// An override that is not a bzImage needs its modules named.
	if _, err := FindKernel(Host{Root: h.root}, Kernel{Path: k.Path}); err == nil || !strings.Contains(err.Error(), "modules") {
		t.Errorf("override without version: got %v", err)
	}
	if _, err := FindKernel(Host{Root: t.TempDir()}, Kernel{}); err == nil || !strings.Contains(err.Error(), "--kernel") {
		t.Errorf("no kernel: got %v, want a hint", err)
	}
}

func TestKernelVersionFromImage(t *testing.T) {
	k, err := FindKernel(Host{}, Kernel{})
	if err != nil {
		k2 := testKernel(t)
		k = &k2
	}
	v, err := kernelVersion(k.Path)
	if err != nil {
		t.Fatal(err)
	}
	if v != k.Version {
		t.Errorf("version in %s: got %s, want %s", k.Path, v, k.Version)
	}
	b, err := extractPayload(k.Path)
	if err != nil {
		t.Fatalf("kernel payload: %v", err)
	}
	if !hasPVHEntry(b) {
		t.Errorf("%s: no PVH entry note found", k.Path)
	}
}

func TestWriteModulesDep(t *testing.T) {
	k := testKernel(t)
	ix, err := readModulesDep(k.Modules)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	want := ix.selectModules([]string{"ext4"})
	for _, m := range want {
		b, err := os.ReadFile(filepath.Join(k.Modules, m))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, m), string(b), 0o644)
	}
	if err := writeModulesDep(dir); err != nil {
		t.Fatal(err)
	}
	got, err := readModulesDep(dir)
	if err != nil {
		t.Fatal(err)
	}
	sel := got.selectModules([]string{"ext4"})
	if len(sel) != len(want) || sel[len(sel)-1] != want[len(want)-1] {
		t.Errorf("ext4 and its dependencies from our modules.dep: got %v, want the set %v with ext4 last", sel, want)
	}
	seen := map[string]bool{}
	for _, m := range sel {
		seen[m] = true
	}
	for _, m := range want {
		if !seen[m] {
			t.Errorf("missing %s", m)
		}
	}
}
