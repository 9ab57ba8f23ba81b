// Command testguest builds (or finds in the cache) the small test guest
// and prints where its kernel and initramfs are:
//
//	go run ./scripts/testguest
//	KERNEL='/root/.cache/govirt/testguest/vmlinuz'
//	INITRD='/root/.cache/govirt/testguest/initrd.gz'
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
