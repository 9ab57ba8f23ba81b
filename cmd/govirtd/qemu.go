package main

import "github.com/govirt/govirt/virt"

// registerQEMU registers the QEMU driver, its state under root, once the
// driver package provides a constructor.
func registerQEMU(reg *virt.Registry, root string) {}
