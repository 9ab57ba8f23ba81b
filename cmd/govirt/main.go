// Command govirt is a virsh-compatible command-line tool for govirt: the
// same commands, options, output and exit codes as virsh, plus JSON output
// (-o json) for list-like commands.
package main

import (
	"os"

	"github.com/govirt/govirt/internal/cli"
	"github.com/govirt/govirt/internal/drivers"
)

func main() {
	drivers.RegisterDefaults()
	if len(os.Args) > 1 && os.Args[1] == "appliance" {
		// The appliance builder is a mode of its own (see cli.ApplianceMain).
		os.Exit(cli.ApplianceMain(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
