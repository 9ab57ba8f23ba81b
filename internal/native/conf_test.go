package native

import (
	"errors"
	"strings"
	"testing"

	"github.com/govirt/govirt/virtxml"
)

func TestParseConfigValues(t *testing.T) {
	cases := []struct {
		name, in string
		key      string
		want     Value
	}{
		{"double quoted", `name = "x y"`, "name", Str("x y")},
		{"single quoted", `name = 'say "hi"'`, "name", Str(`say "hi"`)},
		{"triple quoted", "extra = \"\"\"a\nb\"\"\"", "extra", Str("a\nb")},
		{"empty string", `name = ""`, "name", Str("")},
		{"number", "memory = 512", "memory", Int(512)},
		{"negative", "rtc = -3600", "rtc", Int(-3600)},
		{"plus", "n = +7", "n", Int(7)},
		{"empty list", "vif = [ ]", "vif", Value{Kind: List}},
		{"list", `disk = [ "a", 'b' ]`, "disk", Strings("a", "b")},
		{"trailing comma", "disk = [ \"a\",\n  \"b\", ]", "disk", Strings("a", "b")},
		{"nested", `vnuma = [ [ "pnode=0" ], [ "pnode=1" ] ]`, "vnuma", Value{Kind: List, List: []Value{Strings("pnode=0"), Strings("pnode=1")}}},
		{"list with comments", "disk = [ # first\n \"a\", # second\n \"b\" ]", "disk", Strings("a", "b")},
		{"raw backslashes", `t = "a\\;b"`, "t", Str(`a\\;b`)},
		{"trailing comment", `name = "x" # the name`, "name", Str("x")},
		{"semicolons", `a = 1; name = "x"`, "name", Str("x")},
		{"crlf", "a = 1\r\nname = \"x\"\r\n", "name", Str("x")},
	}
	for _, c := range cases {
		cfg, err := ParseConfig([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got, _, ok := cfg.Lookup(c.key)
		if !ok || !got.Equal(c.want) {
			t.Errorf("%s: got %v (set %v), want %v", c.name, got, ok, c.want)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	deep := "a = " + strings.Repeat("[", MaxListDepth+1) + strings.Repeat("]", MaxListDepth+1)
	cases := []struct {
		name, in string
		line     int
		want     string // part of the message
	}{
		{"unterminated string", "a = 1\nname = \"x\n", 2, "key 'name': unterminated string"},
		{"unterminated single", "name = 'x", 1, "unterminated string"},
		{"unterminated triple", "a = 1\n\nextra = \"\"\"abc\ndef", 3, "key 'extra': unterminated string"},
		{"unclosed list", "disk = [ \"a\",\n \"b\"\n", 1, "key 'disk': list is not closed"},
		{"missing comma", `disk = [ "a" "b" ]`, 1, "expecting ',' or ']'"},
		{"missing value", "name =", 1, "expecting a value"},
		{"bad value", "name = x", 1, "expecting a value"},
		{"no assignment", "name \"x\"", 1, "expecting '='"},
		{"bad name", "1name = 2", 1, "expecting a name"},
		{"junk after value", `name = "x" y`, 1, "unexpected 'y'"},
		{"number overflow", "memory = 99999999999999999999", 1, "number out of range"},
		{"malformed number", "memory = 12abc", 1, "malformed number"},
		{"duplicate", "memory = 1\nmemory = 2", 2, "set again (first set on line 1)"},
		{"deep lists", deep, 1, "nested deeper"},
	}
	for _, c := range cases {
		_, err := ParseConfig([]byte(c.in))
		var xe *virtxml.Error
		if !errors.As(err, &xe) {
			t.Errorf("%s: got %v, want a *virtxml.Error", c.name, err)
			continue
		}
		if xe.Line != c.line || !strings.Contains(xe.Msg, c.want) {
			t.Errorf("%s: got line %d %q, want line %d and %q", c.name, xe.Line, xe.Msg, c.line, c.want)
		}
		if xe.Code != codeConfSyntax {
			t.Errorf("%s: got code %d, want %d", c.name, xe.Code, codeConfSyntax)
		}
	}
}

func TestParseConfigLimits(t *testing.T) {
	big := make([]byte, MaxConfigSize+1)
	if _, err := ParseConfig(big); err == nil {
		t.Error("oversized config accepted")
	}
	many := "a = [" + strings.Repeat("1,", MaxListItems+1) + "]"
	if _, err := ParseConfig([]byte(many)); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("list of %d items: got %v, want a limit error", MaxListItems+1, err)
	}
}

func TestConfigFormat(t *testing.T) {
	c := &Config{}
	c.Set("name", Str("x"))
	c.Set("quote", Str(`a "b"`))
	c.Set("both", Str(`a "b" 'c'`))
	c.Set("nl", Str("a\nb"))
	c.Set("n", Int(-4))
	c.Set("l", Strings("a", "b"))
	c.Set("e", Value{Kind: List})
	c.Set("name", Str("y")) // replaces in place
	want := "name = \"y\"\nquote = 'a \"b\"'\nboth = \"\"\"a \"b\" 'c'\"\"\"\nnl = \"\"\"a\nb\"\"\"\nn = -4\nl = [ \"a\", \"b\" ]\ne = [  ]\n"
	if got := string(c.Format()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	back, err := ParseConfig(c.Format())
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(back, c); len(d) > 0 {
		t.Errorf("round trip: %v", d)
	}
}

func TestConfigKeepsUnknownAndComments(t *testing.T) {
	in := "# a guest\nname = \"x\" # inline\nmystery_key = [ 1, 2 ]\n"
	c, err := ParseConfig([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(c.Format()); got != "# a guest\nname = \"x\" # inline\nmystery_key = [ 1, 2 ]\n" {
		t.Errorf("got %q", got)
	}
	r, err := XLToDomain(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unknown) != 1 || r.Unknown[0] != "mystery_key" {
		t.Errorf("unknown keys: got %v, want [mystery_key]", r.Unknown)
	}
}

func TestDiff(t *testing.T) {
	a, _ := ParseConfig([]byte("x = 1\ny = \"a\"\nz = [ \"q\" ]\n"))
	b, _ := ParseConfig([]byte("z = [ 'q' ]; y = 'a'; x = 1"))
	if d := Diff(a, b); len(d) != 0 {
		t.Errorf("same keys in another order and layout: got %v", d)
	}
	c, _ := ParseConfig([]byte("x = \"1\"\ny = \"a\"\nw = 2"))
	d := Diff(a, c)
	if len(d) != 3 {
		t.Errorf("got %v, want three differences (x kind, w missing, z unexpected)", d)
	}
}
