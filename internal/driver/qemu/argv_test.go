package qemu

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

var update = flag.Bool("update", false, "rewrite the golden .args files of testdata/argv")

// testCaps returns the capabilities probed from QEMU 7.2 (checked in).
func testCaps(t testing.TB) *Caps {
	t.Helper()
	b, err := os.ReadFile("testdata/caps-x86_64-7.2.json")
	if err != nil {
		t.Fatal(err)
	}
	var c Caps
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// argvConfig is the configuration the golden files were made with.
func argvConfig(c *Caps, name string) ArgvConfig {
	cfg := ArgvConfig{
		MonitorFD:       3,
		PidFile:         "/run/govirt/qemu/" + name + ".pid",
		RestrictUserNet: strings.Contains(name, "restrict"),
		Bridges:         map[string]string{"default": "virbr0"},
		Caps:            c,
	}
	if strings.HasPrefix(name, "kvm") {
		cfg.TapFDs = map[string]int{"net0": 20, "net1": 21}
	}
	return cfg
}

// argvOf parses, post-parses and builds the command line of an XML file.
func argvOf(t *testing.T, c *Caps, file string) ([]string, error) {
	t.Helper()
	x, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	def, err := virtxml.ParseDomain(x)
	if err != nil {
		return nil, virt.FromXMLError(err, virt.FromDomain)
	}
	defaultArch(x, def)
	if err := postParse(def, c); err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(file), ".xml")
	return BuildArgv(def, argvConfig(c, name))
}

// TestArgvGolden builds the command line of every testdata/argv/NAME.xml
// and compares it with NAME.args (one argument per line), or with NAME.err
// for definitions the driver must refuse.
func TestArgvGolden(t *testing.T) {
	c := testCaps(t)
	files, err := filepath.Glob("testdata/argv/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, f := range files {
		base := strings.TrimSuffix(f, ".xml")
		t.Run(filepath.Base(base), func(t *testing.T) {
			args, err := argvOf(t, c, f)
			var got, want string
			var golden string
			if err != nil {
				golden = base + ".err"
				got = err.Error() + "\n"
				if !errors.Is(err, virt.ErrConfigUnsupported) && !errors.Is(err, virt.ErrNoNetwork) {
					t.Errorf("error %q: got code %v, want VIR_ERR_CONFIG_UNSUPPORTED", err, virt.Code(err))
				}
			} else {
				golden = base + ".args"
				got = strings.Join(args, "\n") + "\n"
			}
			if *update {
				os.Remove(base + ".args")
				os.Remove(base + ".err")
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, rerr := os.ReadFile(golden)
			if rerr != nil {
				t.Fatalf("got %s, but %s is missing (run with -update): %v", filepath.Ext(golden), golden, rerr)
			}
			want = string(b)
			if got != want {
				t.Errorf("%s: got\n%s\nwant\n%s", golden, got, want)
			}
		})
	}
}

// TestArgvPure checks that the same input gives the same command line and
// leaves the definition alone.
func TestArgvPure(t *testing.T) {
	c := testCaps(t)
	x, err := os.ReadFile("testdata/argv/pc-full.xml")
	if err != nil {
		t.Fatal(err)
	}
	def, err := virtxml.ParseDomain(x)
	if err != nil {
		t.Fatal(err)
	}
	defaultArch(x, def)
	if err := postParse(def, c); err != nil {
		t.Fatal(err)
	}
	before, _ := def.Format(virtxml.FormatSecure)
	a1, err := BuildArgv(def, argvConfig(c, "x"))
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := BuildArgv(def, argvConfig(c, "x"))
	after, _ := def.Format(virtxml.FormatSecure)
	if strings.Join(a1, " ") != strings.Join(a2, " ") {
		t.Errorf("two builds differ:\n%v\n%v", a1, a2)
	}
	if string(before) != string(after) {
		t.Errorf("BuildArgv changed the definition:\n%s\n%s", before, after)
	}
}
