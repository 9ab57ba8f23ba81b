package native

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHostileInputs feeds inputs built to cost time or memory; each must
// end quickly, converted or refused with an error, never a panic.
func TestHostileInputs(t *testing.T) {
	var keys strings.Builder
	for i := 0; keys.Len() < MaxConfigSize-64; i++ {
		fmt.Fprintf(&keys, "k%d = %d\n", i, i)
	}
	vifs := "name = \"v\"\nvif = [" + strings.Repeat("\"mac=00:16:3e:00:00:01,bridge=br0\",", 60000) + "]\n"
	serials := "name = \"s\"\nbuilder = \"hvm\"\nserial = [" + strings.Repeat("\"none\",", 60000) + "\"pty\"]\n"
	usbctrl := "name = \"u\"\nusbctrl = [" + strings.Repeat("\"type=qusb\",", 60000) + "]\n"
	var vnuma strings.Builder
	vnuma.WriteString("name = \"n\"\nvcpus = 4096\nvnuma = [")
	for i := 0; i < maxVNUMANodes+1; i++ {
		fmt.Fprintf(&vnuma, "[\"pnode=0\",\"size=1\",\"vcpus=%d\"],", i)
	}
	vnuma.WriteString("]\n")
	var eth strings.Builder
	eth.WriteString("config.version = \"8\"\nvirtualHW.version = \"4\"\n")
	for eth.Len() < MaxConfigSize-64 {
		eth.WriteString("ethernet1000.present = \"false\"\n")
	}
	cases := []struct {
		name string
		run  func() error
	}{
		{"many keys", func() error { _, err := ParseXL([]byte(keys.String())); return err }},
		{"long string", func() error {
			_, err := ParseXL([]byte("name = \"" + strings.Repeat("x", MaxConfigSize-20) + "\""))
			return err
		}},
		{"unterminated triple quotes", func() error {
			_, err := ParseConfig([]byte("a = \"\"\"" + strings.Repeat("x\n", MaxConfigSize/3)))
			return err
		}},
		{"many vifs", func() error { _, err := ParseXL([]byte(vifs)); return err }},
		{"sparse serial list", func() error { _, err := ParseXL([]byte(serials)); return err }},
		{"many USB controllers", func() error { _, err := ParseXL([]byte(usbctrl)); return err }},
		{"many vnuma nodes", func() error { _, err := ParseXL([]byte(vnuma.String())); return err }},
		{"huge memory", func() error { _, err := ParseXL([]byte("name = \"m\"\nmemory = 9223372036854775807\n")); return err }},
		{"many vmx keys", func() error { _, err := ParseVMX([]byte(eth.String()), VMXOptions{}); return err }},
		{"huge vmx memsize", func() error {
			_, err := ParseVMX([]byte("config.version = \"8\"\nvirtualHW.version = \"4\"\nmemsize = \"9223372036854775804\"\n"), VMXOptions{})
			return err
		}},
	}
	for _, c := range cases {
		start := time.Now()
		err := c.run()
		// The bound catches a hang or a super-linear cost (a quadratic one on
		// a million keys would take hours), not a slow machine: -race alone
		// makes these runs five times slower.
		if d := time.Since(start); d > 60*time.Second {
			t.Errorf("%s: took %v", c.name, d)
		}
		t.Logf("%s: %v (%v)", c.name, err, time.Since(start))
	}
}
