// Command testguest builds (or finds in the cache) the small test guest
// and prints where its kernel and initramfs are:
//
//	go run ./scripts/testguest
//	KERNEL='/root/.cache/govirt/appliance/vmlinux-26f2e57c99338feaf71c46fa'
//	INITRD='/root/.cache/govirt/testguest/appliance/initrd'
//	CMDLINE='console=ttyS0 panic=-1 quiet loglevel=3'
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/govirt/govirt/internal/testguest"
)

func main() {
	g, err := testguest.Ensure(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "testguest:", err)
		os.Exit(1)
	}
	fmt.Printf("KERNEL='%s'\nINITRD='%s'\nCMDLINE='%s'\n", g.Kernel, g.Initrd, g.Cmdline)
}
