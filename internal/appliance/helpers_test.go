package appliance

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/appliance/ext2"
	"github.com/govirt/govirt/internal/drivers"
)

// needQEMU fails the test when QEMU is missing and GOVIRT_REQUIRE_QEMU=1
// (CI), and skips it otherwise.
func needQEMU(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatal("qemu-system-x86_64 not found (GOVIRT_REQUIRE_QEMU=1): run scripts/setup.sh")
		}
		t.Skip("qemu-system-x86_64 not found")
	}
	drivers.RegisterDefaults()
}

// needPackages fails the test unless the host has the Debian packages.
func needPackages(t *testing.T, pkgs ...string) {
	t.Helper()
	be, err := OpenBackend(Host{})
	if err != nil {
		t.Fatal(err)
	}
	_, missing, err := be.Resolve(t.Context(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Fatalf("the host lacks %s: run scripts/setup.sh", strings.Join(missing, " "))
	}
}

// testKernel returns the host's kernel or Debian's (see DebianKernel).
func testKernel(t *testing.T) Kernel {
	t.Helper()
	k, err := DebianKernel(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// makeDisk writes a raw disk with an MBR partition table and one ext2
// partition (type 83, from sector 2048) holding files.
func makeDisk(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	im := ext2.New()
	for name, data := range files {
		if err := im.Add(ext2.Entry{Path: name, Mode: 0o644, Data: []byte(data), Size: int64(len(data)), MTime: time.Unix(1700000000, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	fsImg := filepath.Join(dir, "fs")
	f, err := os.Create(fsImg)
	if err != nil {
		t.Fatal(err)
	}
	size, err := im.WriteTo(f, ext2.Options{Size: 8 << 20})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	fsData, err := os.ReadFile(fsImg)
	if err != nil {
		t.Fatal(err)
	}
	const start = 2048
	sectors := uint32(size / 512)
	mbr := make([]byte, 512)
	e := mbr[446:]
	e[4] = 0x83
	binary.LittleEndian.PutUint32(e[8:], start)
	binary.LittleEndian.PutUint32(e[12:], sectors)
	mbr[510], mbr[511] = 0x55, 0xaa
	binary.LittleEndian.PutUint32(mbr[440:], 0x1234abcd)
	disk := filepath.Join(dir, "disk.img")
	var buf bytes.Buffer
	buf.Write(mbr)
	buf.Write(make([]byte, start*512-512))
	buf.Write(fsData)
	buf.Write(make([]byte, 1<<20))
	if err := os.WriteFile(disk, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return disk
}
