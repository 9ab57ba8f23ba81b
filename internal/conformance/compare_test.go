package conformance

import "testing"

func TestCompareXML(t *testing.T) {
	in := "<domain><name>x</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid></domain>"
	cases := []struct {
		name, input, got, want string
		agree                  bool
	}{
		{"identical", in, "<a>\n  <b/>\n</a>\n", "<a>\n  <b/>\n</a>\n", true},
		{"trailing white space", in, "<a>  \n</a>\n\n\n", "<a>\n</a>\n", true},
		{"different line", in, "<a>\n  <b/>\n</a>\n", "<a>\n  <c/>\n</a>\n", false},
		{"missing line", in, "<a>\n</a>\n", "<a>\n  <b/>\n</a>\n", false},
		{"generated uuid by shape", "<domain/>",
			"  <uuid>11111111-2222-4333-8444-555555555555</uuid>\n",
			"  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n", true},
		{"given uuid must match", in,
			"  <uuid>11111111-2222-4333-8444-555555555555</uuid>\n",
			"  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n", false},
		{"generated uuid must have the shape", "<domain/>",
			"  <uuid>not-a-uuid</uuid>\n",
			"  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n", false},
		{"generated genid", "<genid/>",
			"  <genid>11111111-2222-4333-8444-555555555555</genid>\n",
			"  <genid>c7a5fdbd-edaf-9455-926a-d65c16db1809</genid>\n", true},
	}
	for _, c := range cases {
		diff := compareXML(c.input, c.got, c.want)
		if (diff == "") != c.agree {
			t.Errorf("%s: compareXML = %q, want agree=%v", c.name, diff, c.agree)
		}
	}
}

func TestCompareGeneratedMAC(t *testing.T) {
	got := "      <mac address='52:54:00:e7:ab:5e'/>\n"
	want := "      <mac address='52:54:00:57:06:68'/>\n"
	if d := compareXML("<interface type='network'/>", got, want); d != "" {
		t.Errorf("generated MACs: %s, want agreement by shape", d)
	}
	if d := compareXML("<mac address='52:54:00:57:06:68'/>", got, want); d == "" {
		t.Error("a MAC given in the input must match exactly")
	}
	if d := compareXML("<interface/>", "      <mac address='aa:bb:cc:dd:ee:ff'/>\n", want); d == "" {
		t.Error("a MAC outside QEMU's generated range must match exactly")
	}
}
