// Package drivers registers govirt's hypervisor drivers. Programs call
// RegisterDefaults once from main; nothing registers itself on import.
package drivers

import (
	"sync"

	"github.com/govirt/govirt/internal/driver/qemu"
	"github.com/govirt/govirt/internal/driver/test"
	"github.com/govirt/govirt/virt"
)

var once sync.Once

// RegisterDefaults registers the drivers govirt has into virt's default
// registry: test (test:///default, test:///PATH.xml) and qemu
// (qemu:///system, qemu:///session, qemu:///embed?root=DIR; GOVIRT_ROOT
// moves the state of the first two for tests). Calling it again does
// nothing, so every connection of the process keeps sharing the same
// test:///default node.
func RegisterDefaults() {
	once.Do(func() {
		virt.Register(test.New())
		virt.Register(qemu.New(qemu.Options{}))
	})
}
