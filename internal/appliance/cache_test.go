package appliance

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBuildCache(t *testing.T) {
	h := newFakeHost(t)
	ctx := context.Background()
	host := Host{Root: h.root}
	work := t.TempDir()
	desc := filepath.Join(work, "desc")
	if err := Prepare(ctx, []string{"fake-tools"}, desc, PrepareOptions{Host: host}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "out")
	build := func() *Result {
		t.Helper()
		r, err := Build(ctx, []string{desc}, out, BuildOptions{Host: host, Format: FormatExt2})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := build(); r.UpToDate {
		t.Fatal("first build: up to date")
	}
	firstStamp, err := ReadStamp(out)
	if err != nil {
		t.Fatal(err)
	}
	firstKey := firstStamp.Key
	steps := []struct {
		name    string
		change  func()
		rebuild bool
	}{
		{"nothing", func() {}, false},
		{"touch the description", func() {
			later := time.Now().Add(time.Hour)
			os.Chtimes(filepath.Join(desc, "packages"), later, later)
		}, false},
		{"rewrite the package list with the same content", func() {
			os.WriteFile(filepath.Join(desc, "packages"), []byte("fake-tools\n"), 0o644)
		}, false},
		{"edit the package list", func() {
			os.WriteFile(filepath.Join(desc, "packages"), []byte("fake-tools\nlibfake1\n"), 0o644)
		}, true},
		{"add a description file", func() {
			os.WriteFile(filepath.Join(desc, "hostfiles"), []byte("/usr/lib/libfake*\n"), 0o644)
		}, true},
		{"upgrade a package (database changes)", func() {
			p := filepath.Join(h.root, "var/lib/dpkg/status")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "Version: 1.0-1", "Version: 1.0-2", 1)), 0o644)
		}, true},
		{"new kernel content", func() {
			os.WriteFile(filepath.Join(h.root, "boot/vmlinuz-"+fakeKernelVersion), []byte(strings.Repeat("L", 20000)), 0o644)
		}, true},
		{"nothing again", func() {}, false},
	}
	for _, s := range steps {
		s.change()
		start := time.Now()
		r := build()
		took := time.Since(start)
		if r.UpToDate == s.rebuild {
			t.Errorf("%s: up to date %v, want %v", s.name, r.UpToDate, !s.rebuild)
		}
		if r.UpToDate {
			// The aim is 50 ms; the bound leaves room for the race
			// detector and a loaded CI machine (bench/appliance measures).
			t.Logf("%s: no-op check took %v", s.name, took)
			if took > 250*time.Millisecond {
				t.Errorf("%s: no-op check took %v, want well under 250ms", s.name, took)
			}
		}
	}
	if st, _ := ReadStamp(out); st == nil || st.Key == firstKey {
		t.Errorf("the stamp was not replaced by the rebuilds")
	}
	// Nothing left behind beside the output but its lock.
	ents, _ := os.ReadDir(work)
	for _, e := range ents {
		if e.Name() != "desc" && e.Name() != "out" && e.Name() != ".out.lock" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestConcurrentBuilds(t *testing.T) {
	h := newFakeHost(t)
	ctx := context.Background()
	host := Host{Root: h.root}
	work := t.TempDir()
	desc := filepath.Join(work, "desc")
	if err := Prepare(ctx, []string{"fake-tools"}, desc, PrepareOptions{Host: host}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "out")
	const n = 4
	errs := make(chan error, n)
	built := make(chan bool, n)
	for i := 0; i < n; i++ {
		go func() {
			r, err := Build(ctx, []string{desc}, out, BuildOptions{Host: host, Format: FormatInitrd})
			errs <- err
			built <- err == nil && !r.UpToDate
		}()
	}
	fresh := 0
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		if <-built {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("concurrent builds: %d built, want 1 (the others find it up to date)", fresh)
	}
}

func TestBuildErrorsLeaveNothing(t *testing.T) {
	h := newFakeHost(t)
	ctx := context.Background()
	host := Host{Root: h.root}
	work := t.TempDir()
	desc := filepath.Join(work, "desc")
	err := Prepare(ctx, []string{"fake-tools", "no-such-package"}, desc, PrepareOptions{Host: host})
	if err == nil || !strings.Contains(err.Error(), "no-such-package") || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("prepare with a missing package: got %v, want an error naming it", err)
	}
	if _, err := os.Stat(desc); !os.IsNotExist(err) {
		t.Errorf("prepare failure left %s behind", desc)
	}
	if err := Prepare(ctx, []string{"fake-tools"}, desc, PrepareOptions{Host: host}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "out")
	cases := []struct {
		name string
		opt  BuildOptions
		want string
	}{
		{"unreadable kernel", BuildOptions{Host: host, Kernel: Kernel{Path: filepath.Join(h.root, "boot/nope")}}, "boot/nope"},
		{"kernel without modules", BuildOptions{Host: host, Kernel: Kernel{Path: filepath.Join(h.root, "boot/vmlinuz-9.9.9-xen"), Version: "9.9.9-xen"}}, "modules.dep"},
		{"bad format", BuildOptions{Host: host, Format: "qcow2"}, "unknown appliance format"},
	}
	for _, c := range cases {
		_, err := Build(ctx, []string{desc}, out, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", c.name, err, c.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: left %s behind", c.name, out)
		}
	}
	// An output folder holding something else is not replaced.
	other := filepath.Join(work, "precious")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "thesis.tex"), []byte("years of work"), 0o644)
	if _, err := Build(ctx, []string{desc}, other, BuildOptions{Host: host, Format: FormatChroot}); err == nil || !strings.Contains(err.Error(), "not written by govirt") {
		t.Errorf("build over a foreign folder: got %v", err)
	}
	if err := Prepare(ctx, []string{"fake-tools"}, other, PrepareOptions{Host: host}); err == nil || !strings.Contains(err.Error(), "not written by govirt") {
		t.Errorf("prepare over a foreign folder: got %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "thesis.tex")); string(b) != "years of work" {
		t.Errorf("the foreign folder was touched")
	}
	// A package of the description that the host lost.
	os.WriteFile(filepath.Join(desc, "packages"), []byte("fake-tools\nvanished\n"), 0o644)
	if _, err := Build(ctx, []string{desc}, out, BuildOptions{Host: host}); err == nil || !strings.Contains(err.Error(), "vanished") {
		t.Errorf("missing package at build: got %v", err)
	}
	ents, _ := os.ReadDir(work)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestBuildFullDisk(t *testing.T) {
	// A small tmpfs stands for a full disk; mounting it needs root.
	if os.Geteuid() != 0 {
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatal("this test needs root to mount a small tmpfs")
		}
		t.Skip("needs root to mount a small tmpfs")
	}
	h := newFakeHost(t)
	ctx := context.Background()
	host := Host{Root: h.root}
	// Something big enough not to fit.
	writeFile(t, filepath.Join(h.root, "usr/lib/libfake.so.1"), strings.Repeat("0123456789", 300000), 0o644)
	work := t.TempDir()
	desc := filepath.Join(work, "desc")
	if err := Prepare(ctx, []string{"fake-tools"}, desc, PrepareOptions{Host: host}); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(work, "small")
	os.Mkdir(small, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	defer exec.Command("umount", small).Run()
	for _, format := range []string{FormatExt2, FormatInitrd, FormatChroot} {
		out := filepath.Join(small, "out-"+format)
		_, err := Build(ctx, []string{desc}, out, BuildOptions{Host: host, Format: format})
		if err == nil || !strings.Contains(err.Error(), "full") {
			t.Errorf("%s: got %v, want an error saying the disk is full", format, err)
		}
		ents, _ := os.ReadDir(small)
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".lock") {
				t.Errorf("%s: left behind %s", format, e.Name())
			}
		}
	}
}
