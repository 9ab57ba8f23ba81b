// Command conformance measures govirt's agreement with libvirt on a corpus
// of libvirt's cases:
//
//	go run ./cmd/conformance -corpus ../shared/conformance/libvirt-9.0.0 [-v] [-only domain,virsh]
//
// It prints one line per folder, "FOLDER: N/M agree", then
// "conformance: N/M agree"; -v lists the disagreeing cases with a reason.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/govirt/govirt/internal/cli"
	"github.com/govirt/govirt/internal/conformance"
	"github.com/govirt/govirt/internal/drivers"
)

func main() {
	corpus := flag.String("corpus", "", "corpus folder laid out like libvirt-9.0.0 (domain/, network/, storagepool/, virsh/, xen-xm/, xen-xl/, vmx/)")
	verbose := flag.Bool("v", false, "list the cases that disagree, with a reason")
	only := flag.String("only", "", "comma-separated folders to run (default: all present)")
	flag.Parse()
	if *corpus == "" {
		fmt.Fprintln(os.Stderr, "usage: conformance -corpus DIR [-v] [-only FOLDER,...]")
		os.Exit(2)
	}
	drivers.RegisterDefaults()
	var folders []string
	if *only != "" {
		folders = strings.Split(*only, ",")
	}
	res, err := conformance.Run(context.Background(), *corpus, folders, cli.Main)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
	conformance.Report(os.Stdout, res, *verbose)
}
