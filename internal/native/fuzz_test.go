package native

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virtxml"
)

// addCorpusSeeds adds the corpus files with extension ext as fuzz seeds.
func addCorpusSeeds(f *testing.F, folder, ext string) {
	files, _ := filepath.Glob(filepath.Join(corpus, folder, "*"+ext))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
}

// checkDomain checks that a converted domain formats as well-formed XML.
func checkDomain(t *testing.T, d *virtxml.Domain) {
	out, err := FormatDomain(d, virtxml.FormatSecure)
	if err != nil {
		return // some converted values are refused by the formatter
	}
	if _, err := xmldoc.Parse(out); err != nil {
		t.Fatalf("converted domain is not XML: %v\n%s", err, out)
	}
}

// fuzzXen checks a Xen parser: no panic, configs round-trip through the
// writer, converted domains format and convert back without panicking.
func fuzzXen(t *testing.T, data []byte, toDomain func(*Config) (*Result, error), back func(*virtxml.Domain, FormatOptions) (*Config, error)) {
	c, err := ParseConfig(data)
	if err != nil {
		return
	}
	again, err := ParseConfig(c.Format())
	if err != nil {
		t.Fatalf("written config does not parse: %v\n%s", err, c.Format())
	}
	if d := Diff(again, c); len(d) > 0 {
		t.Fatalf("config changed through the writer: %v", d)
	}
	r, err := toDomain(c)
	if err != nil {
		return
	}
	checkDomain(t, r.Domain)
	if cfg, err := back(r.Domain, FormatOptions{}); err == nil {
		cfg.Format()
	}
}

func FuzzParseXM(f *testing.F) {
	addCorpusSeeds(f, "xen-xm", ".cfg")
	f.Add([]byte("name = \"a\"\nbuilder = \"hvm\"\nkernel = \"/k\"\nserial = \"udp:a:1@b:2\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzXen(t, data, XMToDomain, FormatXM)
	})
}

func FuzzParseXL(f *testing.F) {
	addCorpusSeeds(f, "xen-xl", ".cfg")
	f.Add([]byte("name = \"a\"\nvnuma = [ [ \"pnode=0\", \"size=1\", \"vcpus=0\" ] ]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzXen(t, data, XLToDomain, FormatXL)
	})
}

func FuzzParseVMX(f *testing.F) {
	addCorpusSeeds(f, "vmx", ".vmx")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseVMX(data, VMXOptions{FileName: esxTestFileName})
		if err != nil {
			return
		}
		checkDomain(t, r.Domain)
	})
}
