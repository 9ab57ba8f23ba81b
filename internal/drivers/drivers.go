// Package drivers registers govirt's hypervisor drivers. Programs call
// RegisterDefaults once from main; nothing registers itself on import.
package drivers

import (
	"sync"

	"github.com/govirt/govirt/internal/driver/qemu"
	"github.com/govirt/govirt/internal/driver/remote"
	"github.com/govirt/govirt/internal/driver/test"
	"github.com/govirt/govirt/virt"
)

var once sync.Once

// RegisterDefaults registers the drivers govirt has into virt's default
// registry: test (test:///default, test:///PATH.xml); qemu
// (qemu:///system, qemu:///session, qemu:///embed?root=DIR; GOVIRT_ROOT
// moves the state of the first two for tests), reached through
// remote.Local so that local URIs go to govirtd when it serves them (the
// session daemon is started on demand) and stay in process otherwise; and
// remote, for every URI with a transport or a host (qemu+unix://,
// test+tcp://, qemu+tls://, qemu+ssh://, ...). Calling it again does
// nothing, so every connection of the process keeps sharing the same
// test:///default node.
func RegisterDefaults() {
	once.Do(func() {
		virt.Register(test.New())
		virt.Register(remote.NewLocal("qemu", qemu.New(qemu.Options{})))
		virt.Register(remote.New())
	})
}
