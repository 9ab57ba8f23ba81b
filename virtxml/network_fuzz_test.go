package virtxml

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addSeeds adds every input XML file of the given folders to f's corpus.
func addSeeds(f *testing.F, dirs ...string) {
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
		for _, p := range files {
			if strings.HasSuffix(p, ".libvirt.xml") {
				continue
			}
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}

// roundTrip checks that a document format produced parses back, and that
// formatting is then a fixed point. libvirt itself writes a few forms that
// it reads back differently (an empty <bandwidth> or <dns> whose children
// printed nothing), and govirt prints what libvirt prints, so one
// normalising step is allowed before the output must repeat exactly.
func roundTrip(t *testing.T, out []byte, reparse func([]byte) ([]byte, error)) {
	t.Helper()
	again, err := reparse(out)
	if err != nil {
		t.Fatalf("formatted document refused: %v\n%s", err, out)
	}
	if bytes.Equal(out, again) {
		return
	}
	third, err := reparse(again)
	if err != nil {
		t.Fatalf("formatted document refused: %v\n%s", err, again)
	}
	if !bytes.Equal(again, third) {
		t.Fatalf("format not stable:\n--- second\n%s\n--- third\n%s", again, third)
	}
}

func FuzzParseNetwork(f *testing.F) {
	addSeeds(f, filepath.Join(corpusDir, "network"), "testdata/cases/network")
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseNetwork(data)
		if err != nil {
			return
		}
		out, err := n.Format(0)
		if err != nil {
			t.Fatalf("format: %v", err)
		}
		if c := n.Clone(); c == nil {
			t.Fatal("clone returned nil")
		} else if o2, _ := c.Format(0); !bytes.Equal(out, o2) {
			t.Fatalf("clone formats differently")
		}
		roundTrip(t, out, func(b []byte) ([]byte, error) {
			n2, err := ParseNetwork(b)
			if err != nil {
				return nil, err
			}
			return n2.Format(0)
		})
	})
}
