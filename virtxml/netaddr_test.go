package virtxml

import "testing"

func TestParseIPAddr(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"192.168.122.1", "192.168.122.1"},
		{"10.1", "10.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"010.0.0.1", "8.0.0.1"},
		{"1", "0.0.0.1"},
		{"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
		{"::", "::"},
		{"::1", "::1"},
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
		{"::1.2.3.4", "::1.2.3.4"},
		{"fe80:0:0:1:0:0:0:0", "fe80:0:0:1::"},
		{"1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"},
		{"1::", "1::"},
		{"2001:db8:ac10:fd01::1:20", "2001:db8:ac10:fd01::1:20"},
	} {
		a, err := ParseIPAddr(tc.in)
		if err != nil {
			t.Errorf("ParseIPAddr(%q): %v", tc.in, err)
			continue
		}
		if got := a.String(); got != tc.want {
			t.Errorf("ParseIPAddr(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "300.1.1.1", "1.2.3.4.5", "1..2", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "a.b.c.d", "1.2.3.4:", "::1.2.3"} {
		if _, err := ParseIPAddr(bad); err == nil {
			t.Errorf("ParseIPAddr(%q) accepted", bad)
		}
	}
}

func TestParseMAC(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"52:54:00:E6:A2:C9", "52:54:00:e6:a2:c9", true},
		{"52:54:0:1:2:3", "52:54:00:01:02:03", true},
		{"52:54:00:17:3F:37 ", "52:54:00:17:3f:37", true},
		{"52:54:00:17:3F", "", false},
		{"52:54:00:17:3F:377", "", false},
		{"zz:54:00:17:3F:37", "", false},
		{"52-54-00-17-3F-37", "", false},
	} {
		m, err := ParseMAC(tc.in)
		if (err == nil) != tc.ok || tc.ok && m.String() != tc.want {
			t.Errorf("ParseMAC(%q) = %s, %v; want %s ok=%v", tc.in, m, err, tc.want, tc.ok)
		}
	}
}

func TestSanitizePath(t *testing.T) {
	for in, want := range map[string]string{
		"///var/////lib/libvirt/images//": "/var/lib/libvirt/images",
		"/":                               "/",
		"//":                              "//",
		"//foo":                           "//foo",
		"///foo":                          "/foo",
		"foo/":                            "foo",
		"/a/b/":                           "/a/b",
	} {
		if got := sanitizePath(in); got != want {
			t.Errorf("sanitizePath(%q) = %q, want %q", in, got, want)
		}
	}
}
