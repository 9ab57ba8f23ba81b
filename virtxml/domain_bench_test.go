package virtxml

import (
	"testing"
)

// BenchmarkDomainCorpus parses and formats every domain input of the
// conformance corpus, as libvirt's define + dumpxml would.
func BenchmarkDomainCorpus(b *testing.B) {
	cases := loadDomainCases(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, c := range cases {
			d, err := ParseDomain(c.input)
			if err == nil {
				if _, err := d.Format(FormatInactive); err != nil {
					b.Fatal(err)
				}
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "docs/s")
}
