package appliance

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/cpio"
)

// fakeHost is a host root with a dpkg database written by the test: three
// packages with a merged /usr, a hard link, a setuid program, a symlink,
// a configuration file edited on the host (whose original comes from a
// .deb in apt's cache folder), a dpkg diversion and a kernel.
type fakeHost struct {
	root string
}

const fakeKernelVersion = "6.1.0-99-test"

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func writeFile(t *testing.T, p string, data string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func newFakeHost(t *testing.T) *fakeHost {
	t.Helper()
	root := t.TempDir()
	h := &fakeHost{root: root}
	p := func(s string) string { return filepath.Join(root, s) }
	for _, d := range []string{"usr/bin", "usr/lib", "usr/sbin", "etc", "var/lib/dpkg/info", "var/cache/apt/archives", "boot"} {
		os.MkdirAll(p(d), 0o755)
	}
	os.Symlink("usr/bin", p("bin"))
	os.Symlink("usr/lib", p("lib"))
	os.Symlink("usr/sbin", p("sbin"))
	writeFile(t, p("usr/bin/tool"), "#!tool\n", 0o755)
	if err := os.Link(p("usr/bin/tool"), p("usr/bin/tool-alias")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, p("usr/bin/su"), "#!su\n", fs.ModeSetuid|0o755)
	os.Symlink("tool", p("usr/bin/tool-link"))
	writeFile(t, p("usr/lib/libfake.so.1"), strings.Repeat("lib", 5000), 0o644)
	writeFile(t, p("usr/share/doc/fake/README"), "docs\n", 0o644)
	shipped := "setting = shipped\n"
	writeFile(t, p("etc/fake.conf"), "setting = edited by the admin\n", 0o644)
	writeFile(t, p("etc/other.conf"), "untouched\n", 0o600)
	// A diversion: /usr/bin/divert of package fake-tools really lives at
	// /usr/bin/divert.distrib; /usr/bin/divert is another package's.
	writeFile(t, p("usr/bin/divert.distrib"), "the diverted original\n", 0o755)
	writeFile(t, p("usr/bin/divert"), "the replacement\n", 0o755)
	writeFile(t, p("var/lib/dpkg/diversions"), "/usr/bin/divert\n/usr/bin/divert.distrib\nfake-other\n", 0o644)
	status := fmt.Sprintf(`Package: dpkg
Status: install ok installed
Architecture: %[1]s
Version: 1.21

Package: fake-tools
Status: install ok installed
Architecture: %[1]s
Version: 1:2.0-1
Depends: libfake1 (>= 1.0), fake-virtual | missing-alt, python3:any
Conffiles:
 /etc/fake.conf %[2]s
 /etc/other.conf %[3]s
 /etc/gone.conf 0123 obsolete

Package: libfake1
Status: install ok installed
Architecture: %[1]s
Version: 1.0-1

Package: fake-provider
Status: install ok installed
Architecture: all
Version: 3
Provides: fake-virtual (= 3)

Package: not-installed
Status: deinstall ok config-files
Architecture: %[1]s
Version: 1

Package: fake-other
Status: install ok installed
Architecture: %[1]s
Version: 1
`, debArch(), md5hex([]byte(shipped)), md5hex([]byte("untouched\n")))
	writeFile(t, p("var/lib/dpkg/status"), status, 0o644)
	writeFile(t, p("var/lib/dpkg/info/fake-tools.list"), "/.\n/bin\n/usr\n/usr/bin\n/usr/bin/tool\n/usr/bin/tool-alias\n/usr/bin/tool-link\n/usr/bin/su\n/usr/bin/divert\n/etc\n/etc/fake.conf\n/etc/other.conf\n/usr/share/doc/fake/README\n", 0o644)
	writeFile(t, p("var/lib/dpkg/info/libfake1:"+debArch()+".list"), "/.\n/lib/libfake.so.1\n", 0o644)
	writeFile(t, p("var/lib/dpkg/info/fake-provider.list"), "/.\n", 0o644)
	writeFile(t, p("var/lib/dpkg/info/fake-other.list"), "/.\n", 0o644)
	// The package as shipped, in apt's cache, for the edited conffile.
	pkg := filepath.Join(t.TempDir(), "pkg")
	writeFile(t, filepath.Join(pkg, "etc/fake.conf"), shipped, 0o644)
	writeFile(t, filepath.Join(pkg, "DEBIAN/control"), "Package: fake-tools\nVersion: 1:2.0-1\nArchitecture: "+debArch()+"\nMaintainer: t <t@example.org>\nDescription: test\n", 0o644)
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "-Zgzip", "-b", pkg, p("var/cache/apt/archives/fake-tools_1%3a2.0-1_"+debArch()+".deb")).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -b: %v: %s", err, out)
	}
	// A kernel and its modules.
	writeFile(t, p("boot/vmlinuz-"+fakeKernelVersion), strings.Repeat("K", 20000), 0o644)
	writeFile(t, p("boot/vmlinuz-9.9.9-xen"), strings.Repeat("X", 20000), 0o644)
	md := "lib/modules/" + fakeKernelVersion
	writeFile(t, p(md+"/modules.dep"), "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko\nkernel/lib/crc16.ko:\nkernel/fs/mbcache.ko:\nkernel/drivers/block/virtio_blk.ko:\nkernel/drivers/char/virtio_console.ko:\nkernel/fs/btrfs/btrfs.ko: kernel/lib/crc16.ko\n", 0o644)
	for _, m := range []string{"fs/ext4/ext4.ko", "lib/crc16.ko", "fs/mbcache.ko", "drivers/block/virtio_blk.ko", "drivers/char/virtio_console.ko", "fs/btrfs/btrfs.ko"} {
		writeFile(t, p(md+"/kernel/"+m), "module "+m, 0o644)
	}
	return h
}

// baseArchive writes a base archive with what a host cannot give a
// normal user: a device node, a FIFO, a hard link, a setgid file.
func baseArchive(t *testing.T, dir string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mt := time.Unix(1700000000, 0)
	add := func(h *tar.Header, data string) {
		h.ModTime = mt
		h.Size = int64(len(data))
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(data))
		}
	}
	add(&tar.Header{Name: "./dev/", Typeflag: tar.TypeDir, Mode: 0o755}, "")
	add(&tar.Header{Name: "./dev/null", Typeflag: tar.TypeChar, Mode: 0o666, Devmajor: 1, Devminor: 3}, "")
	add(&tar.Header{Name: "./dev/sda", Typeflag: tar.TypeBlock, Mode: 0o660, Gid: 6, Devmajor: 8, Devminor: 0}, "")
	add(&tar.Header{Name: "./dev/initctl", Typeflag: tar.TypeFifo, Mode: 0o600}, "")
	add(&tar.Header{Name: "./usr/local/bin/wall", Typeflag: tar.TypeReg, Mode: 0o2755, Gid: 5}, "wall\n")
	add(&tar.Header{Name: "./usr/local/bin/wall2", Typeflag: tar.TypeLink, Linkname: "./usr/local/bin/wall"}, "")
	tw.Close()
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "zz-extra.tar.gz"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFakeHostAllFormats(t *testing.T) {
	h := newFakeHost(t)
	ctx := context.Background()
	host := Host{Root: h.root}
	before := snapshot(t, h.root)
	defer func() {
		// Never modify the host: no file's content, mode, links or
		// times (ctime included) changed.
		after := snapshot(t, h.root)
		for p, b := range before {
			if a, ok := after[p]; !ok || a != b {
				t.Errorf("host file %s changed: %q -> %q", p, b, a)
			}
		}
		for p := range after {
			if _, ok := before[p]; !ok {
				t.Errorf("host file %s appeared", p)
			}
		}
	}()
	work := t.TempDir()
	desc := filepath.Join(work, "desc")
	var log bytes.Buffer
	if err := Prepare(ctx, []string{"fake-tools"}, desc, PrepareOptions{Host: host, Progress: &log}); err != nil {
		t.Fatalf("prepare: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "fetching fake-tools") {
		t.Errorf("prepare should fetch the edited conffile's package; log:\n%s", log.String())
	}
	baseArchive(t, desc)
	if err := os.WriteFile(filepath.Join(desc, "hostfiles"), []byte("/usr/lib/libfake*\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{FormatExt2, FormatInitrd, FormatChroot} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(work, "out-"+format)
			res, err := Build(ctx, []string{desc}, out, BuildOptions{Host: host, Format: format, Progress: &log})
			if err != nil {
				t.Fatalf("build: %v\n%s", err, log.String())
			}
			if res.UpToDate {
				t.Fatalf("first build reported up to date")
			}
			var got map[string]fileInfo
			switch format {
			case FormatExt2:
				got = readExt2(t, filepath.Join(out, "root"))
			case FormatInitrd:
				got = readCpio(t, filepath.Join(out, "initrd"))
			case FormatChroot:
				got = readChroot(t, out)
			}
			checkTree(t, format, got)
			if format != FormatChroot {
				if _, err := os.Stat(filepath.Join(out, "kernel")); err != nil {
					t.Errorf("kernel: %v", err)
				}
				if format == FormatExt2 {
					// The initrd reaches the root: ext4 after its
					// dependencies, and nothing else.
					boot := readCpio(t, filepath.Join(out, "initrd"))
					if got, want := boot["etc/govirt/modules"].data, "kernel/drivers/block/virtio_blk.ko\nkernel/lib/crc16.ko\nkernel/fs/mbcache.ko\nkernel/fs/ext4/ext4.ko\n"; got != want {
						t.Errorf("initrd modules: got %q, want %q", got, want)
					}
					if boot["init"].mode != 0o755 || boot["lib/modules/"+fakeKernelVersion+"/kernel/fs/ext4/ext4.ko"].data != "module fs/ext4/ext4.ko" {
						t.Errorf("initrd lacks init or ext4: %v", boot)
					}
				}
				st, _ := ReadStamp(out)
				if st == nil || st.KernelVersion != fakeKernelVersion {
					t.Errorf("kernel version: got %+v, want %s (the xen kernel must be skipped)", st, fakeKernelVersion)
				}
			}
		})
	}
}

// fileInfo is what the tests compare across formats.
type fileInfo struct {
	mode     fs.FileMode
	uid, gid uint32
	link     string
	major    uint32
	minor    uint32
	data     string
	ino      uint64
}

func checkTree(t *testing.T, format string, got map[string]fileInfo) {
	t.Helper()
	want := map[string]fileInfo{
		"bin":                  {mode: fs.ModeSymlink | 0o777, link: "usr/bin"},
		"usr/bin/tool":         {mode: 0o755, data: "#!tool\n"},
		"usr/bin/tool-alias":   {mode: 0o755, data: "#!tool\n"},
		"usr/bin/tool-link":    {mode: fs.ModeSymlink | 0o777, link: "tool"},
		"usr/bin/su":           {mode: fs.ModeSetuid | 0o755, data: "#!su\n"},
		"usr/bin/divert":       {mode: 0o755, data: "the diverted original\n"},
		"etc/fake.conf":        {mode: 0o644, data: "setting = shipped\n"},
		"etc/other.conf":       {mode: 0o600, data: "untouched\n"},
		"usr/lib/libfake.so.1": {mode: 0o644, data: strings.Repeat("lib", 5000)},
		"dev/null":             {mode: fs.ModeDevice | fs.ModeCharDevice | 0o666, major: 1, minor: 3},
		"dev/sda":              {mode: fs.ModeDevice | 0o660, gid: 6, major: 8},
		"dev/initctl":          {mode: fs.ModeNamedPipe | 0o600},
		"usr/local/bin/wall":   {mode: fs.ModeSetgid | 0o755, gid: 5, data: "wall\n"},
		"usr/local/bin/wall2":  {mode: fs.ModeSetgid | 0o755, gid: 5, data: "wall\n"},
		"tmp":                  {mode: fs.ModeDir | fs.ModeSticky | 0o777},
	}
	if format != FormatChroot {
		want["lib"] = fileInfo{mode: fs.ModeSymlink | 0o777, link: "usr/lib"}
		want["etc/govirt/modules"] = fileInfo{mode: 0o644}
		want["usr/lib/modules/"+fakeKernelVersion+"/kernel/drivers/char/virtio_console.ko"] = fileInfo{mode: 0o644, data: "module drivers/char/virtio_console.ko"}
	}
	if format == FormatInitrd {
		want["init"] = fileInfo{mode: 0o755}
	}
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			t.Errorf("%s: missing", p)
			continue
		}
		if g.mode != w.mode || g.uid != w.uid || g.gid != w.gid || g.link != w.link || g.major != w.major || g.minor != w.minor {
			t.Errorf("%s: got mode %v uid %d gid %d link %q dev %d:%d, want mode %v uid %d gid %d link %q dev %d:%d",
				p, g.mode, g.uid, g.gid, g.link, g.major, g.minor, w.mode, w.uid, w.gid, w.link, w.major, w.minor)
		}
		if w.data != "" && g.data != w.data {
			t.Errorf("%s: got content %.40q, want %.40q", p, g.data, w.data)
		}
	}
	for _, gone := range []string{"usr/share/doc/fake/README", "etc/gone.conf"} {
		if _, ok := got[gone]; ok {
			t.Errorf("%s: present, want excluded", gone)
		}
	}
	if mods := got["etc/govirt/modules"].data; format == FormatInitrd {
		if !strings.Contains(mods, "kernel/lib/crc16.ko\nkernel/fs/mbcache.ko\nkernel/fs/ext4/ext4.ko") || strings.Contains(mods, "btrfs") {
			t.Errorf("module list: got %q, want ext4 after its dependencies and no btrfs", mods)
		}
	}
	a, b := got["usr/bin/tool"], got["usr/bin/tool-alias"]
	if a.ino == 0 || a.ino != b.ino {
		t.Errorf("hard link: tool and tool-alias have inodes %d and %d, want one", a.ino, b.ino)
	}
	a, b = got["usr/local/bin/wall"], got["usr/local/bin/wall2"]
	if a.ino == 0 || a.ino != b.ino {
		t.Errorf("hard link from the base archive: inodes %d and %d, want one", a.ino, b.ino)
	}
}

func readChroot(t *testing.T, dir string) map[string]fileInfo {
	t.Helper()
	out := map[string]fileInfo{}
	filepath.Walk(dir, func(p string, st os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		r, _ := filepath.Rel(dir, p)
		sys := st.Sys().(*syscall.Stat_t)
		fi := fileInfo{mode: st.Mode(), uid: sys.Uid, gid: sys.Gid, ino: sys.Ino}
		if st.Mode()&fs.ModeSymlink != 0 {
			fi.link, _ = os.Readlink(p)
		}
		if st.Mode()&fs.ModeDevice != 0 {
			fi.major = uint32((sys.Rdev >> 8) & 0xfff)
			fi.minor = uint32(sys.Rdev&0xff) | uint32((sys.Rdev>>12)&^0xff)
		}
		if st.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			fi.data = string(b)
		}
		out[r] = fi
		return nil
	})
	return out
}

func readCpio(t *testing.T, p string) map[string]fileInfo {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]fileInfo{}
	data := map[uint32]string{}
	r := cpio.NewReader(f)
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read initrd: %v", err)
		}
		b, _ := io.ReadAll(r)
		if len(b) > 0 {
			data[h.Ino] = string(b)
		}
		out[h.Name] = fileInfo{mode: h.Mode, uid: h.UID, gid: h.GID, link: h.Link, major: h.Major, minor: h.Minor, ino: uint64(h.Ino)}
	}
	for k, v := range out {
		if v.mode.IsRegular() {
			v.data = data[uint32(v.ino)]
			out[k] = v
		}
	}
	return out
}

// readExt2 lists an image with debugfs (e2fsprogs) and reads small files
// back.
func readExt2(t *testing.T, img string) map[string]fileInfo {
	t.Helper()
	if out, err := exec.Command(e2tool(t, "e2fsck"), "-fn", img).CombinedOutput(); err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, out)
	}
	out := map[string]fileInfo{}
	var walk func(dir string)
	walk = func(dir string) {
		ls, err := exec.Command(e2tool(t, "debugfs"), "-R", "ls -p /"+dir, img).Output()
		if err != nil {
			t.Fatalf("debugfs ls: %v", err)
		}
		// Lines: /ino/mode/uid/gid/name/size/
		for _, line := range strings.Split(string(ls), "\n") {
			f := strings.Split(line, "/")
			if len(f) < 7 || f[5] == "." || f[5] == ".." || f[5] == "" {
				continue
			}
			var ino uint64
			var mode, uid, gid uint32
			fmt.Sscan(f[1], &ino)
			fmt.Sscanf(f[2], "%o", &mode)
			fmt.Sscan(f[3], &uid)
			fmt.Sscan(f[4], &gid)
			p := strings.TrimPrefix(dir+"/"+f[5], "/")
			fi := fileInfo{mode: goMode(mode), uid: uid, gid: gid, ino: ino}
			switch {
			case fi.mode.IsDir():
				walk(p)
			case fi.mode&fs.ModeSymlink != 0:
				st, _ := exec.Command(e2tool(t, "debugfs"), "-R", "stat /"+p, img).Output()
				if i := strings.Index(string(st), "Fast link dest: \""); i >= 0 {
					rest := string(st)[i+17:]
					fi.link = rest[:strings.IndexByte(rest, '"')]
				}
			case fi.mode&fs.ModeDevice != 0:
				st, _ := exec.Command(e2tool(t, "debugfs"), "-R", "stat /"+p, img).Output()
				if i := strings.Index(string(st), "Device major/minor number: "); i >= 0 {
					fmt.Sscanf(string(st)[i+27:], "%d:%d", &fi.major, &fi.minor)
				}
			case fi.mode.IsRegular() && !strings.Contains(p, "lib/modules/") || strings.HasSuffix(p, "virtio_console.ko"):
				b, _ := exec.Command(e2tool(t, "debugfs"), "-R", "cat /"+p, img).Output()
				fi.data = string(b)
			}
			out[p] = fi
		}
	}
	walk("")
	return out
}

func goMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	switch m & 0o170000 {
	case 0o040000:
		mode |= fs.ModeDir
	case 0o120000:
		mode |= fs.ModeSymlink
	case 0o020000:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case 0o060000:
		mode |= fs.ModeDevice
	case 0o010000:
		mode |= fs.ModeNamedPipe
	}
	return mode
}

func e2tool(t *testing.T, name string) string {
	t.Helper()
	for _, d := range []string{"", "/sbin/", "/usr/sbin/"} {
		if p, err := exec.LookPath(d + name); err == nil {
			return p
		}
	}
	t.Fatalf("%s not found: install e2fsprogs (scripts/setup.sh)", name)
	return ""
}

// snapshot records every file under root with its metadata.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(root, func(p string, st os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		sys := st.Sys().(*syscall.Stat_t)
		out[p] = fmt.Sprintf("%v %d %d %d %d", st.Mode(), st.Size(), sys.Nlink, st.ModTime().UnixNano(), sys.Ctim.Nano())
		return nil
	})
	return out
}
