package xmldoc

import (
	"errors"
	"strings"
	"testing"
)

type testAddr struct {
	Type string `xml:"type,attr"`
	Bus  *uint  `xml:"bus,attr"`
}

type testDisk struct {
	Type   string `xml:"type,attr,omitempty"`
	Device string `xml:"device,attr,omitempty"`
	Source *struct {
		File string `xml:"file,attr,omitempty"`
	} `xml:"source"`
	ReadOnly bool      `xml:"readonly"`
	Address  *testAddr `xml:"address"`
	Extra    []Attr    `xml:",any,attr"`
	Unknown  []*Node   `xml:",any"`
}

type testDom struct {
	Type    string `xml:"type,attr"`
	Name    string `xml:"name"`
	Memory  uint64 `xml:"memory,omitempty"`
	Devices struct {
		Disks []testDisk `xml:"disk"`
	} `xml:"devices"`
	Unknown []*Node `xml:",any"`
}

func TestRoundTrip(t *testing.T) {
	in := `<?xml version="1.0"?>
<!-- a comment -->
<domain type="qemu">
  <memory>1024</memory>
  <name>a&amp;b&apos;</name>
  <devices>
    <disk type='file' foo='bar'>
      <readonly/>
      <source file="/x &lt;y&gt;"/>
      <address type='drive' bus='1'/>
      <shareable/>
    </disk>
  </devices>
  <metadata>
      <app1:foo xmlns:app1="http://foo.org/">fooish</app1:foo>
  <app2:bar xmlns:app2="http://bar.com/" maman="baz">bar<b>ish</b></app2:bar>
  </metadata>
</domain>
`
	var d testDom
	if _, err := UnmarshalBytes([]byte(in), &d); err != nil {
		t.Fatal(err)
	}
	out, err := MarshalBytes("domain", &d)
	if err != nil {
		t.Fatal(err)
	}
	want := `<domain type='qemu'>
  <name>a&amp;b&apos;</name>
  <memory>1024</memory>
  <devices>
    <disk type='file' foo='bar'>
      <source file='/x &lt;y&gt;'/>
      <readonly/>
      <address type='drive' bus='1'/>
      <shareable/>
    </disk>
  </devices>
  <metadata>
    <app1:foo xmlns:app1="http://foo.org/">fooish</app1:foo>
    <app2:bar xmlns:app2="http://bar.com/" maman="baz">bar<b>ish</b></app2:bar>
  </metadata>
</domain>
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "Document is empty"},
		{"<a>", "Premature end of data in tag a line 1"},
		{"<a></b>", "Opening and ending tag mismatch"},
		{"<a x='1' x='2'/>", "Attribute x redefined"},
		{"<a x=1/>", "AttValue"},
		{"<a>&foo;</a>", "Entity 'foo' not defined"},
		{"<a/><b/>", "Extra content"},
		{"<!DOCTYPE a [<!ENTITY x 'y'>]><a/>", "DOCTYPE"},
		{"<a>\x01</a>", "invalid Char"},
		{"<a>\xff</a>", "UTF-8"},
		{"<a x='<'/>", "Unescaped '<'"},
		{"<a><!-- x -- y --></a>", "Double hyphen"},
		{"<a\n\n>&#0;</a>", "xmlParseCharRef"},
		{strings.Repeat("<a>", MaxDepth+1), "Excessive depth"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.in))
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, c.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", c.in, err, c.want)
		}
	}
}

func TestErrorLine(t *testing.T) {
	_, err := Parse([]byte("<a>\n<b>\n</a>"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 3 {
		t.Fatalf("got %v, want a syntax error on line 3", err)
	}
}

func TestBadScalar(t *testing.T) {
	var d testDom
	_, err := UnmarshalBytes([]byte(`<domain><devices><disk><address type='pci' bus='-1'/></disk></devices></domain>`), &d)
	want := "Invalid value for attribute 'bus' in element 'address': '-1'. Expected non-negative value"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("<domain type='kvm'><name>x</name><devices><disk/></devices></domain>"))
	f.Add([]byte("<a b=\"&amp;&#x41;\"><![CDATA[x]]>t<c/>u</a>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(data)
		if err != nil {
			return
		}
		var e Encoder
		e.Raw(n)
		if _, err := Parse(e.Bytes()); err != nil {
			t.Fatalf("re-parse of %q failed: %v", e.Bytes(), err)
		}
	})
}
