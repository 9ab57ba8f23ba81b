package qemu

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govirt/govirt/virt"
)

func TestURIPaths(t *testing.T) {
	t.Setenv(RootEnv, "")
	t.Setenv("XDG_CONFIG_HOME", "/home/u/.cfg")
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	drv := New(Options{})
	cases := []struct {
		uri, config, run, canon string
	}{
		{"qemu:///system", "/etc/govirt/qemu", "/run/govirt/qemu", "qemu:///system"},
		{"qemu:///session", "/home/u/.cfg/govirt/qemu", "/run/user/1000/govirt/qemu", "qemu:///session"},
		{"qemu:///embed?root=/srv/vm", "/srv/vm/etc/govirt/qemu", "/srv/vm/run/govirt/qemu", "qemu:///embed?root=%2Fsrv%2Fvm"},
	}
	for _, tc := range cases {
		u, _ := url.Parse(tc.uri)
		p, canon, err := drv.pathsFor(u)
		if err != nil || p.config != tc.config || p.run != tc.run || canon != tc.canon {
			t.Errorf("%s: got %s %s %s (%v), want %s %s %s", tc.uri, p.config, p.run, canon, err, tc.config, tc.run, tc.canon)
		}
	}
	rooted := New(Options{Root: "/r"})
	for uri, want := range map[string]string{"qemu:///system": "/r/etc/govirt/qemu", "qemu:///session": "/r/session/etc/govirt/qemu"} {
		u, _ := url.Parse(uri)
		if p, _, _ := rooted.pathsFor(u); p.config != want {
			t.Errorf("%s under a root: got %s, want %s", uri, p.config, want)
		}
	}
	t.Setenv(RootEnv, "/env")
	u, _ := url.Parse("qemu:///system")
	if p, _, _ := drv.pathsFor(u); p.state != "/env/var/lib/govirt/qemu" {
		t.Errorf("%s=/env: state %s", RootEnv, p.state)
	}
	for _, bad := range []string{"qemu:///nope", "qemu:///embed", "qemu:///embed?root=rel"} {
		u, _ := url.Parse(bad)
		if _, _, err := drv.pathsFor(u); !errors.Is(err, virt.ErrInvalidArg) {
			t.Errorf("%s: got %v, want an invalid-argument error", bad, err)
		}
	}
	if c, err := drv.Open(context.Background(), mustURL("test:///default"), 0); c != nil || err != nil {
		t.Errorf("test:///default: got %v, %v; want (nil, nil)", c, err)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.xml")
	for _, content := range []string{"one", "two, longer"} {
		if err := writeFileAtomic(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != content {
			t.Errorf("got %q, want %q", b, content)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("files left: %v", ents)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("mode: got %v", st.Mode())
	}
}

// TestDeadReason checks how recovery tells why a guest stopped unwatched.
func TestDeadReason(t *testing.T) {
	root := t.TempDir()
	p := systemPaths(root)
	if err := p.make(); err != nil {
		t.Fatal(err)
	}
	old := "old: terminating on signal 15\n"
	st := &status{Name: "g", PID: 1 << 30, StartTime: 1, LogOffset: int64(len(old))}
	os.WriteFile(p.logFile("g"), []byte(old), 0o600)
	if got := deadReason(p, st); got != virt.ShutoffShutdown {
		t.Errorf("clean exit: got %d, want shutdown", got)
	}
	os.WriteFile(p.logFile("g"), []byte(old+"2026-01-01 qemu-system-x86_64: terminating on signal 15 from pid 9\n"), 0o600)
	if got := deadReason(p, st); got != virt.ShutoffDestroyed {
		t.Errorf("terminated: got %d, want destroyed", got)
	}
	os.WriteFile(p.pidFile("g"), []byte("1234\n"), 0o600)
	if got := deadReason(p, st); got != virt.ShutoffCrashed {
		t.Errorf("killed: got %d, want crashed", got)
	}
}

// TestDefinitionsPersist defines domains, reopens the root with a new
// driver and finds them, with autostart; undefine removes the files.
func TestDefinitionsPersist(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	ctx := context.Background()
	c := openRoot(t, root)
	d, err := c.DefineDomain(ctx, guestXML(g, "persist", "/dev/null", guestOpts{}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetAutostart(ctx, true); err != nil {
		t.Fatal(err)
	}
	want, _ := d.XML(ctx, virt.XMLInactive)
	for _, s := range []string{"<emulator>", "machine='pc-i440fx-", "<controller type='pci' index='0' model='pci-root'/>", "<memballoon model='virtio'>", "<address type='pci'"} {
		if !strings.Contains(want, s) {
			t.Errorf("defined XML lacks %s:\n%s", s, want)
		}
	}
	c.Close()
	c = openRoot(t, root)
	d, err = c.LookupDomainByName(ctx, "persist")
	if err != nil {
		t.Fatalf("after reopen: %v", err)
	}
	if got, _ := d.XML(ctx, virt.XMLInactive); got != want {
		t.Errorf("XML after reopen:\n%s\nwant\n%s", got, want)
	}
	if fl, err := d.Flags(ctx); err != nil || !fl.Persistent || !fl.Autostart {
		t.Errorf("flags after reopen: %+v, %v", fl, err)
	}
	// Same name, other UUID; same UUID, other name.
	if _, err := c.DefineDomain(ctx, strings.Replace(guestXML(g, "persist", "/dev/null", guestOpts{}), "<name>", "<uuid>00000000-1111-2222-3333-444444444444</uuid><name>", 1), 0); !errors.Is(err, virt.ErrOperationFailed) {
		t.Errorf("name clash: got %v", err)
	}
	if err := d.Undefine(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"etc/govirt/qemu/persist.xml", "etc/govirt/qemu/autostart/persist.xml"} {
		if exists(filepath.Join(root, f)) {
			t.Errorf("%s left after undefine", f)
		}
	}
}

// TestKVM checks that type='kvm' either works or fails fast with a clear
// error, and that the capabilities agree. Here, /dev/kvm opens but guests
// hang: the probe must say so within seconds.
func TestKVM(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	c := openRoot(t, root)
	ctx := context.Background()
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hasKVM := strings.Contains(caps, "<domain type='kvm'")
	if !strings.Contains(caps, "<domain type='qemu'") || !strings.Contains(caps, "<arch name='x86_64'>") {
		t.Errorf("capabilities lack the qemu guest:\n%s", caps)
	}
	if hasKVM == strings.Contains(caps, `<govirt:kvm xmlns:govirt="https://govirt.dev/xmlns/capabilities/1.0" usable="no">`) {
		t.Errorf("capabilities list KVM guests %v but also say KVM is unusable:\n%s", hasKVM, caps)
	}
	x := strings.Replace(guestXML(g, "kvm", "/dev/null", guestOpts{}), "type='qemu'", "type='kvm'", 1)
	start := time.Now()
	d, err := c.DefineDomain(ctx, x, 0)
	if err == nil {
		err = d.Start(ctx, 0)
		if err == nil {
			d.Destroy(ctx, 0)
		}
	}
	took := time.Since(start)
	switch {
	case hasKVM && err != nil:
		t.Errorf("KVM is usable but the guest did not start: %v", err)
	case !hasKVM && err == nil:
		t.Errorf("KVM is unusable but a KVM guest started")
	case !hasKVM:
		if !errors.Is(err, virt.ErrConfigUnsupported) || !strings.Contains(err.Error(), "KVM") {
			t.Errorf("error: got %v, want an unsupported-configuration error about KVM", err)
		}
		t.Logf("KVM refused in %v: %v", took, err)
	}
	if took > 10*time.Second {
		t.Errorf("KVM check took %v", took)
	}
}

// TestSupervise checks that a supervising driver keeps its node (and its
// lock) after the last connection closes, and lets go at Close.
func TestSupervise(t *testing.T) {
	root := t.TempDir()
	var r virt.Registry
	drv := New(Options{Root: root, Supervise: true, LockTimeout: 50 * time.Millisecond})
	r.Register(drv)
	ctx := context.Background()
	c, err := r.Open(ctx, "qemu:///system", 0)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	// Another driver (another process, as far as the lock goes) must wait.
	var r2 virt.Registry
	r2.Register(New(Options{Root: root, LockTimeout: 5 * time.Second}))
	start := time.Now()
	if c2, err := r2.Open(ctx, "qemu:///system", 0); err == nil {
		c2.Close()
		t.Fatal("a second driver opened a root the supervising one still holds")
	} else if !errors.Is(err, virt.ErrOperationInvalid) || !strings.Contains(err.Error(), "managed by a daemon") {
		t.Fatalf("second open: got %v, want a pointer to the daemon", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("the refusal took %v: it should not wait for a daemon", time.Since(start))
	}
	drv.Close()
	c2, err := r2.Open(ctx, "qemu:///system", 0)
	if err != nil {
		t.Fatalf("open after Close: %v", err)
	}
	c2.Close()
}
