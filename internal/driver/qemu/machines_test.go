package qemu

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMachines boots the test guest on the q35 and microvm machine types
// (pc is what the other tests use) with their own buses: the guest must
// reach its init on each.
func TestMachines(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	c := openRoot(t, root)
	ctx := context.Background()
	for _, m := range []string{"q35", "microvm"} {
		t.Run(m, func(t *testing.T) {
			serial := filepath.Join(root, m+".serial")
			o := guestOpts{memMiB: 160, devices: "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>"}
			if m == "microvm" {
				// microvm has no HPET or ACPI PM timer: under TCG the kernel
				// may fail to calibrate the TSC and hang without a hint.
				o.cmdline = "tsc_early_khz=2000000"
			}
			x := guestXML(g, m, serial, o)
			x = strings.Replace(x, "machine='pc'", "machine='"+m+"'", 1)
			d, err := c.CreateDomain(ctx, x, 0)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			defer d.Destroy(ctx, 0)
			(&serialLog{path: serial}).wait(t, `govirt-guest: booted`, bootTimeout)
			live, _ := d.XML(ctx, 0)
			want := map[string]string{"q35": `machine='pc-q35-\d+\.\d+'`, "microvm": `machine='microvm'`}[m]
			if !regexp.MustCompile(want).MatchString(live) {
				t.Errorf("live XML machine: want %s in\n%s", want, live)
			}
		})
	}
}
