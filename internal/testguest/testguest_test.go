package testguest

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"testing"
)

// TestEnsure builds (or finds) the guest and checks the initramfs holds
// what the guest's init needs.
func TestEnsure(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("apt-get not found: not a Debian machine")
	}
	g, err := Ensure(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(g.Kernel); err != nil || st.Size() < 1<<20 {
		t.Fatalf("kernel %s: %v", g.Kernel, err)
	}
	f, err := os.Open(g.Initrd)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"init\x00", "bin/busybox\x00", "etc/acpi/powerdown\x00", "virtio_blk.ko\x00", "button.ko\x00", "say \"booted token="} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("initramfs lacks %q", want)
		}
	}
	// A second call finds the cache and returns the same files.
	g2, err := Ensure(context.Background())
	if err != nil || *g2 != *g {
		t.Errorf("second Ensure = %+v, %v; want %+v", g2, err, g)
	}
}

func TestModuleOrderMissingDir(t *testing.T) {
	if _, err := moduleOrder("/nonexistent/modules", []string{"virtio_pci"}); err == nil {
		t.Error("got no error for a missing module folder")
	}
}
