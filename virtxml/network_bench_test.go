package virtxml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func benchDocs(b *testing.B, folder string) [][]byte {
	files, _ := filepath.Glob(filepath.Join(corpusDir, folder, "*.xml"))
	var docs [][]byte
	for _, f := range files {
		if strings.HasSuffix(f, ".libvirt.xml") {
			continue
		}
		d, _ := os.ReadFile(f)
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		b.Fatal("no documents")
	}
	return docs
}

func BenchmarkNetworkRoundTrip(b *testing.B) {
	docs := benchDocs(b, "network")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			if n, err := ParseNetwork(d); err == nil {
				n.Format(NetworkFormatInactive)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(docs))/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkStoragePoolRoundTrip(b *testing.B) {
	docs := benchDocs(b, "storagepool")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			if p, err := ParseStoragePool(d); err == nil {
				p.Format(0)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(docs))/b.Elapsed().Seconds(), "docs/s")
}
