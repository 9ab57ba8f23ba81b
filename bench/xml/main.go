// Command xml benchmarks domain XML round trips: define, dumpxml --inactive
// and undefine of every document of the domain corpus, in-process through
// govirt's API on test:///default, against libvirt's own test driver through
// python3-libvirt, in the same run on the same documents. It prints
//
//	RESULT xml-roundtrip ours=OPS/s peer=OPS/s ratio=OURS/PEER
//
// Usage: go run ./bench/xml [-corpus DIR] [-seconds N]
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/drivers"
	"github.com/govirt/govirt/virt"
)

//go:embed peer.py
var peerScript string

func main() {
	corpus := flag.String("corpus", "../shared/conformance/libvirt-9.0.0/domain", "folder of domain XML documents")
	seconds := flag.Float64("seconds", 5, "how long each side runs")
	flag.Parse()
	files, err := inputs(*corpus)
	if err != nil || len(files) == 0 {
		fmt.Fprintf(os.Stderr, "xml: no documents in %s: %v\n", *corpus, err)
		os.Exit(1)
	}
	drivers.RegisterDefaults()
	ours, err := runOurs(files, *seconds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "xml: govirt:", err)
		os.Exit(1)
	}
	peer, err := runPeer(files, *seconds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "xml: peer:", err)
		os.Exit(1)
	}
	fmt.Printf("documents: %d\n", len(files))
	fmt.Printf("RESULT xml-roundtrip ours=%.0f peer=%.0f ratio=%.2f\n", ours, peer, ours/peer)
}

// inputs lists the NAME.xml inputs of dir (not libvirt's answers).
func inputs(dir string) ([]string, error) {
	all, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range all {
		if !strings.HasSuffix(f, ".libvirt.xml") {
			out = append(out, f)
		}
	}
	return out, nil
}

// runOurs loops over the documents for at least seconds and returns ops/s.
func runOurs(files []string, seconds float64) (float64, error) {
	ctx := context.Background()
	docs := make([]string, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		docs[i] = string(b)
	}
	conn, err := virt.Open(ctx, "test:///default")
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	ops := 0
	start := time.Now()
	for time.Since(start).Seconds() < seconds {
		for _, d := range docs {
			if dom, err := conn.DefineDomain(ctx, d, 0); err == nil {
				if _, err := dom.XML(ctx, virt.XMLInactive); err != nil {
					return 0, err
				}
				if err := dom.Undefine(ctx, 0); err != nil {
					return 0, err
				}
			}
			ops++
		}
	}
	return float64(ops) / time.Since(start).Seconds(), nil
}

// runPeer runs the python3-libvirt side and returns its ops/s.
func runPeer(files []string, seconds float64) (float64, error) {
	args := append([]string{"-c", peerScript, fmt.Sprint(seconds)}, files...)
	out, err := exec.Command("/usr/bin/python3", args...).Output()
	if err != nil {
		return 0, fmt.Errorf("python3-libvirt: %w", err)
	}
	var ops int
	var elapsed float64
	if _, err := fmt.Sscan(string(out), &ops, &elapsed); err != nil {
		return 0, fmt.Errorf("peer printed %q: %w", out, err)
	}
	return float64(ops) / elapsed, nil
}
