package virtxml

import "testing"

// TestStorageVolOracleCases runs volume variations answered by the real
// libvirt test driver (created in a dir pool at /p, which sets key and
// path to /p/NAME).
func TestStorageVolOracleCases(t *testing.T) {
	cases := loadCases(t, "testdata/cases/storagevol", "cases-storagevol")
	agreed := 0
	for _, c := range cases {
		v, err := ParseStorageVol(c.input)
		var out []byte
		if err == nil {
			v.Key = "/p/" + v.Name
			v.Target.Path = v.Key
			v.Physical = 0
			out, err = v.Format(0)
		}
		if why := checkCase(c, out, err); why != "" {
			t.Logf("%s: %s", c.name, why)
			continue
		}
		agreed++
	}
	reportConformance(t, "storagevol variations", agreed, len(cases), 100)
}

func TestParseSizeArg(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"10", 10, true},
		{"1G", 1 << 30, true},
		{"100M", 100 << 20, true},
		{"1KB", 1000, true},
		{"2KiB", 2048, true},
		{"5b", 5, true},
		{"3bytes", 3, true},
		{"1X", 0, false},
		{"", 0, false},
		{"G", 0, false},
		{"-1", 0, false},
		{"16E", 0, false},
	} {
		got, err := ParseSizeArg(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSizeArg(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
