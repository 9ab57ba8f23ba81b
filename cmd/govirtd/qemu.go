package main

import (
	"github.com/govirt/govirt/internal/driver/qemu"
	"github.com/govirt/govirt/virt"
)

// registerQEMU registers the QEMU driver with its state under root (the
// host's standard folders when root is empty; the session daemon then
// serves qemu:///session from the user's folders). The daemon supervises
// its guests between client connections (Supervise).
func registerQEMU(reg *virt.Registry, root string) {
	reg.Register(qemu.New(qemu.Options{Root: root, Supervise: true}))
}
