package virtxml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func BenchmarkCorpus(b *testing.B) {
	files, _ := filepath.Glob("../../shared/conformance/libvirt-9.0.0/domain/*.xml")
	var docs [][]byte
	for _, f := range files {
		if strings.HasSuffix(f, ".libvirt.xml") {
			continue
		}
		d, _ := os.ReadFile(f)
		docs = append(docs, d)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			dom, err := ParseDomain(d)
			if err == nil {
				dom.Format(0)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(docs))/b.Elapsed().Seconds(), "docs/s")
}
