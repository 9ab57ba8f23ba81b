package appliance

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rpmSpecs are three packages built with rpmbuild (Debian's rpm package)
// for TestRPMBackend: rtool needs a virtual capability (provided by
// rdata) and a file (/usr/bin/busybox, owned by rbox), rbox needs rdata.
var rpmSpecs = map[string]string{
	"rbox": `Name: rbox
Version: 1.0
Release: 1
Summary: busybox for the appliance test
License: GPL-2.0
AutoReqProv: no
Requires: rdata
%description
test
%install
mkdir -p %{buildroot}/usr/bin
cp @BUSYBOX@ %{buildroot}/usr/bin/busybox
ln -s busybox %{buildroot}/usr/bin/sh
%files
%attr(0755,root,root) /usr/bin/busybox
/usr/bin/sh
`,
	"rdata": `Name: rdata
Version: 2.1
Release: 3
Epoch: 1
Summary: data for the appliance test
License: MIT
BuildArch: noarch
AutoReqProv: no
Provides: appliance-data
%description
test
%install
mkdir -p %{buildroot}/etc %{buildroot}/usr/share/rdata %{buildroot}/usr/bin
echo 'greeting = as shipped' > %{buildroot}/etc/rdata.conf
echo same-inode > %{buildroot}/usr/share/rdata/a
ln %{buildroot}/usr/share/rdata/a %{buildroot}/usr/share/rdata/b
printf '#!/usr/bin/sh\necho suid\n' > %{buildroot}/usr/bin/rsuid
%files
%config(noreplace) /etc/rdata.conf
/usr/share/rdata/a
/usr/share/rdata/b
%attr(4755,root,root) /usr/bin/rsuid
%dev(c,1,3) %attr(0666,root,root) /usr/share/rdata/rnull
%dir /usr/share/rdata
`,
	"rtool": `Name: rtool
Version: 0.1
Release: 1
Summary: a tool for the appliance test
License: MIT
BuildArch: noarch
AutoReqProv: no
Requires: appliance-data
Requires: /usr/bin/busybox
Requires: no-such-capability
%description
test
%install
mkdir -p %{buildroot}/usr/bin
printf '#!/usr/bin/sh\necho rtool works\n' > %{buildroot}/usr/bin/rtool
%files
%attr(0755,root,root) /usr/bin/rtool
`,
}

// rpmRoot builds the packages and installs them with rpm under a new root.
func rpmRoot(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatal("installing rpm packages with device nodes under a root needs root")
		}
		t.Skip("installing rpm packages with device nodes under a root needs root")
	}
	for _, tool := range []string{"rpm", "rpmbuild"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install rpm (scripts/setup.sh)", tool)
		}
	}
	busybox := "/bin/busybox"
	if !isFile(busybox) {
		t.Fatal("no /bin/busybox: install busybox-static (scripts/setup.sh)")
	}
	top := t.TempDir()
	for name, spec := range rpmSpecs {
		sp := filepath.Join(top, name+".spec")
		if err := os.WriteFile(sp, []byte(strings.ReplaceAll(spec, "@BUSYBOX@", busybox)), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("rpmbuild", "-bb", "--define", "_topdir "+top, "--define", "_build_id_links none",
			"--define", "_dbpath "+filepath.Join(top, "db"), "--define", "__os_install_post %{nil}", sp)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("rpmbuild %s: %v\n%s", name, err, out)
		}
	}
	rpms, _ := filepath.Glob(filepath.Join(top, "RPMS", "*", "*.rpm"))
	if len(rpms) != 3 {
		t.Fatalf("rpmbuild made %d packages, want 3", len(rpms))
	}
	root := t.TempDir()
	args := append([]string{"--root", root, "--dbpath", "/var/lib/rpm", "-i", "--nodeps", "--noscripts", "--nosignature", "--ignorearch", "--ignoreos"}, rpms...)
	if out, err := exec.Command("rpm", args...).CombinedOutput(); err != nil {
		t.Fatalf("rpm -i: %v\n%s", err, out)
	}
	return root
}

func TestRPMBackend(t *testing.T) {
	root := rpmRoot(t)
	ctx := t.Context()
	host := Host{Root: root}
	be, err := OpenBackend(host)
	if err != nil {
		t.Fatal(err)
	}
	if be.Name() != "rpm" {
		t.Fatalf("backend: got %s, want rpm (only an rpm database is under the root)", be.Name())
	}
	closure, missing, err := be.Resolve(ctx, []string{"rtool", "appliance-data", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range closure {
		names = append(names, p.String())
	}
	if got, want := strings.Join(names, " "), "rbox_1.0-1_x86_64 rdata_1:2.1-3_noarch rtool_0.1-1_noarch"; got != want {
		t.Errorf("closure: got %s, want %s", got, want)
	}
	if strings.Join(missing, " ") != "nope" {
		t.Errorf("missing: got %v, want [nope]", missing)
	}

	work := t.TempDir()
	desc := filepath.Join(work, "desc")
	if err := Prepare(ctx, []string{"rtool"}, desc, PrepareOptions{Host: host}); err != nil {
		t.Fatal(err)
	}
	if got := tarNames(t, filepath.Join(desc, "base.tar.gz")); got != "./etc/rdata.conf" {
		t.Errorf("base.tar.gz members: got %q, want ./etc/rdata.conf", got)
	}
	// An edited configuration file cannot be fetched from a repository
	// here: prepare says so, unless told to take the host's copy.
	conf := filepath.Join(root, "etc/rdata.conf")
	os.WriteFile(conf, []byte("greeting = edited\n"), 0o644)
	err = Prepare(ctx, []string{"rtool"}, filepath.Join(work, "desc2"), PrepareOptions{Host: host})
	if err == nil || !strings.Contains(err.Error(), "/etc/rdata.conf") || !strings.Contains(err.Error(), "--use-installed") {
		t.Errorf("prepare with an edited config file: got %v, want an error naming it and --use-installed", err)
	}
	if err := Prepare(ctx, []string{"rtool"}, filepath.Join(work, "desc2"), PrepareOptions{Host: host, UseInstalled: true}); err != nil {
		t.Errorf("prepare --use-installed: %v", err)
	}

	out := filepath.Join(work, "chroot")
	if _, err := Build(ctx, []string{desc}, out, BuildOptions{Host: host, Format: FormatChroot}); err != nil {
		t.Fatal(err)
	}
	got := readChroot(t, out)
	want := map[string]fileInfo{
		"usr/bin/busybox":       {mode: 0o755},
		"usr/bin/sh":            {mode: os.ModeSymlink | 0o777, link: "busybox"},
		"usr/bin/rsuid":         {mode: os.ModeSetuid | 0o755},
		"usr/share/rdata/rnull": {mode: os.ModeDevice | os.ModeCharDevice | 0o666, major: 1, minor: 3},
		"etc/rdata.conf":        {mode: 0o644, data: "greeting = as shipped\n"},
	}
	for p, w := range want {
		g := got[p]
		if g.mode != w.mode || g.link != w.link || g.major != w.major || g.minor != w.minor || (w.data != "" && g.data != w.data) {
			t.Errorf("%s: got %+v, want %+v", p, g, w)
		}
	}
	if a, b := got["usr/share/rdata/a"], got["usr/share/rdata/b"]; a.ino == 0 || a.ino != b.ino {
		t.Errorf("hard link a/b: inodes %d, %d", a.ino, b.ino)
	}
}

// TestRunRPM boots the rpm set as an ext2 appliance and runs its tools.
func TestRunRPM(t *testing.T) {
	needQEMU(t)
	root := rpmRoot(t)
	k := testKernel(t)
	ctx := t.Context()
	host := Host{Root: root}
	work := t.TempDir()
	desc := filepath.Join(work, "desc")
	if err := Prepare(ctx, []string{"rtool"}, desc, PrepareOptions{Host: host}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "out")
	if _, err := Build(ctx, []string{desc}, out, BuildOptions{Host: host, Format: FormatExt2, Kernel: k}); err != nil {
		t.Fatal(err)
	}
	disk := makeDisk(t, map[string]string{"hello.txt": hello})
	script := `rtool; cat /etc/rdata.conf; stat -c '%a %u' /usr/bin/rsuid; stat -c '%t:%T' /usr/share/rdata/rnull; ` +
		`[ "$(stat -c %i /usr/share/rdata/a)" = "$(stat -c %i /usr/share/rdata/b)" ] && echo same-inode; ` +
		`mount -o ro /dev/vdb1 /mnt && cat /mnt/hello.txt`
	stdout, stderr, code := runIn(t, out, []string{"sh", "-c", script}, RunOptions{Disks: []Disk{{Path: disk, ReadOnly: true}}})
	want := "rtool works\ngreeting = as shipped\n4755 0\n1:3\nsame-inode\n" + hello
	if code != 0 || stdout != want {
		t.Errorf("got exit %d, stdout:\n%s\nstderr:\n%s\nwant stdout:\n%s", code, stdout, stderr, want)
	}
}

func tarNames(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: owner %d:%d in base.tar.gz, want 0:0", h.Name, h.Uid, h.Gid)
		}
		names = append(names, h.Name)
	}
	return strings.Join(names, " ")
}
