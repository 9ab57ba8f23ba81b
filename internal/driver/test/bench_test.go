package test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govirt/govirt/virt"
)

// corpusDocs returns the domain corpus inputs libvirt accepted.
func corpusDocs(b *testing.B) []string {
	files, _ := filepath.Glob(filepath.Join(corpus, "domain", "*.libvirt.xml"))
	var docs []string
	for _, f := range files {
		in, err := os.ReadFile(strings.TrimSuffix(f, ".libvirt.xml") + ".xml")
		if err == nil {
			docs = append(docs, string(in))
		}
	}
	if len(docs) == 0 {
		b.Skip("no domain corpus")
	}
	return docs
}

// BenchmarkDefineDumpUndefine measures define + dumpxml + undefine of the
// domain corpus through the public API, in process.
func BenchmarkDefineDumpUndefine(b *testing.B) {
	ctx := context.Background()
	docs := corpusDocs(b)
	c := openWith(b, New(), "test:///default", 0)
	defer c.Close()
	ops := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		doc := docs[i%len(docs)]
		d, err := c.DefineDomain(ctx, doc, 0)
		if err != nil {
			continue
		}
		d.XML(ctx, 0)
		d.Undefine(ctx, 0)
		ops++
	}
	b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "cycles/s")
}

// BenchmarkList1000 lists a node of 1000 domains.
func BenchmarkList1000(b *testing.B) {
	ctx := context.Background()
	c := openWith(b, New(), "test:///default", 0)
	defer c.Close()
	for i := 0; i < 1000; i++ {
		if _, err := c.DefineDomain(ctx, fmt.Sprintf(minimalXML, fmt.Sprintf("d%04d", i)), 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ds, err := c.ListAllDomains(ctx, 0)
		if err != nil || len(ds) != 1001 {
			b.Fatalf("list: %d, %v", len(ds), err)
		}
		for _, d := range ds {
			d.State(ctx)
		}
	}
	_ = virt.ListDomainsActive
}
