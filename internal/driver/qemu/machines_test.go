package qemu

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/govirt/govirt/virt"
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

// TestEFIFirmware starts a guest with firmware='efi': the driver picks
// OVMF, creates the variable store from its template, and shows both in
// the running definition; without OVMF the definition is refused clearly.
func TestEFIFirmware(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	c := openRoot(t, root)
	ctx := context.Background()
	x := strings.Replace(guestXML(g, "efi", filepath.Join(root, "efi.serial"), guestOpts{memMiB: 128}), "<os>", "<os firmware='efi'>", 1)
	d, err := c.DefineDomain(ctx, x, 0)
	if _, _, ok := findEFI(); !ok {
		if err == nil || !strings.Contains(err.Error(), "OVMF") {
			t.Fatalf("define without OVMF: got %v, want a refusal naming OVMF", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("define: %v", err)
	}
	if err := d.Start(ctx, 0); err != nil {
		t.Fatalf("start: %v", err)
	}
	defer d.Destroy(ctx, 0)
	live, _ := d.XML(ctx, 0)
	nvram := filepath.Join(root, "var/lib/govirt/qemu/nvram/efi_VARS.fd")
	for _, want := range []string{"<loader readonly='yes' type='pflash'>/", "<nvram template='", nvram + "</nvram>"} {
		if !strings.Contains(live, want) {
			t.Errorf("running definition lacks %q:\n%s", want, live)
		}
	}
	if st, err := os.Stat(nvram); err != nil || st.Size() == 0 {
		t.Errorf("variable store: %v", err)
	}
	if inactive, _ := d.XML(ctx, virt.XMLInactive); strings.Contains(inactive, "<loader") {
		t.Errorf("the persistent definition got the resolved loader:\n%s", inactive)
	}
}
