package testguest

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/govirt/govirt/internal/cpio"
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
	names := map[string]bool{}
	var init, mods string
	r := cpio.NewReader(f)
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names[h.Name] = true
		switch h.Name {
		case "init":
			b, _ := io.ReadAll(r)
			init = string(b)
		case "etc/govirt/modules":
			b, _ := io.ReadAll(r)
			mods = string(b)
		}
	}
	for _, want := range []string{"init", "usr/bin/busybox", "etc/acpi/powerdown", "etc/acpid.conf", "dev/console"} {
		if !names[want] {
			t.Errorf("initramfs lacks %s", want)
		}
	}
	if !strings.Contains(init, `say "booted token=`) {
		t.Errorf("init is not the guest's script:\n%s", init)
	}
	for _, m := range []string{"virtio_blk.ko", "button.ko", "pvpanic-pci.ko", "ext4.ko"} {
		if !strings.Contains(mods, m) {
			t.Errorf("module list lacks %s:\n%s", m, mods)
		}
	}
	if strings.Contains(mods, "vfat") || strings.Contains(mods, "overlay") {
		t.Errorf("module list has the appliance defaults, want only the guest's:\n%s", mods)
	}
	// A second call finds the cache and returns the same files.
	g2, err := Ensure(context.Background())
	if err != nil || *g2 != *g {
		t.Errorf("second Ensure = %+v, %v; want %+v", g2, err, g)
	}
}
