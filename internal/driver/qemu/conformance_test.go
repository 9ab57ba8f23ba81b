package qemu

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/driver/drivertest"
	"github.com/govirt/govirt/virt"
)

// TestConformance runs the shared driver suite against real QEMU guests.
func TestConformance(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	var r virt.Registry
	r.Register(New(Options{Root: root, RestrictUserNet: true, LockTimeout: 10 * time.Second}))
	open := func(flags virt.OpenFlags) func(t *testing.T) *virt.Conn {
		return func(t *testing.T) *virt.Conn {
			c, err := r.Open(context.Background(), "qemu:///system", flags)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			return c
		}
	}
	drivertest.RunConfig(t, drivertest.Config{
		Open:         open(0),
		OpenReadOnly: open(virt.OpenReadOnlyFlag),
		DomainXML: func(name string) string {
			return fmt.Sprintf(`<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd><cmdline>%s</cmdline></os>
<devices><serial type='null'/><memballoon model='none'/></devices></domain>`, name, g.Kernel, g.Initrd, g.Cmdline)
		},
	})
}

// Compile-time checks of the optional interfaces the driver implements.
var (
	_ virt.DomainStore       = (*conn)(nil)
	_ virt.DomainLifecycle   = (*conn)(nil)
	_ virt.DomainTuner       = (*conn)(nil)
	_ virt.DomainSecurity    = (*conn)(nil)
	_ virt.DomainEvents      = (*conn)(nil)
	_ virt.DomainSaver       = (*conn)(nil)
	_ virt.DomainFileSaver   = (*conn)(nil)
	_ virt.DomainCoreDumper  = (*conn)(nil)
	_ virt.DomainDevices     = (*conn)(nil)
	_ virt.DomainConsole     = (*conn)(nil)
	_ virt.DomainMonitor     = (*conn)(nil)
	_ virt.DomainAutostarter = (*conn)(nil)
)
