package cli

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestSplitBatch(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string
	}{
		{"list --all", [][]string{{"list", "--all"}}},
		{"  list\t--all  ", [][]string{{"list", "--all"}}},
		{"a; b", [][]string{{"a"}, {"b"}}},
		{"a;b;;;c", [][]string{{"a"}, {"b"}, {"c"}}},
		{"a\nb", [][]string{{"a"}, {"b"}}},
		{"a # comment; b\nc", [][]string{{"a"}, {"c"}}},
		{"#x; y", nil},
		{"a#b", [][]string{{"a#b"}}},
		{`echo "#c"`, [][]string{{"echo", "#c"}}},
		{`'a b' "c d"`, [][]string{{"a b", "c d"}}},
		{`'a\b' "a\b" a\\b`, [][]string{{`a\b`, "ab", `a\b`}}},
		{`"x'y" 'x"y'`, [][]string{{"x'y", `x"y`}}},
		{`a"b c"d`, [][]string{{"ab cd"}}},
		{`"a;b" 'c;d' e\;f`, [][]string{{"a;b", "c;d", "e;f"}}},
		{"a\\\nb", [][]string{{"ab"}}},
		{"''", [][]string{{""}}},
		{`'unterminated`, [][]string{{"unterminated"}}},
		{"", nil},
		{" ; ", nil},
	}
	for _, tt := range tests {
		got, err := SplitBatch(tt.in)
		if err != nil {
			t.Errorf("SplitBatch(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitBatch(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitBatchErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`echo "abc`, `missing "`},
		{`echo abc\`, `dangling \`},
		{`a; b "`, `missing "`},
	}
	for _, tt := range tests {
		_, err := SplitBatch(tt.in)
		if err == nil {
			t.Errorf("SplitBatch(%q): no error, want %q", tt.in, tt.want)
			continue
		}
		if got := strings.Join(errorLines(err), "\n"); got != tt.want {
			t.Errorf("SplitBatch(%q): error %q, want %q", tt.in, got, tt.want)
		}
	}
}

// boundOpts renders a parsed command's options as "name=value" strings.
func boundOpts(c *call) []string {
	var out []string
	for _, o := range c.opts {
		if o.def.kind == optBool {
			out = append(out, o.def.name)
		} else {
			out = append(out, o.def.name+"="+o.data)
		}
	}
	return out
}

func TestParseBinding(t *testing.T) {
	tab := commands()
	tests := []struct {
		in   string
		cmd  string
		opts []string
	}{
		{"dominfo test", "dominfo", []string{"domain=test"}},
		{"dominfo --domain test", "dominfo", []string{"domain=test"}},
		{"dominfo --domain=test", "dominfo", []string{"domain=test"}},
		{"dominfo --domain=", "dominfo", []string{"domain="}},
		{"setmem test 1G --config", "setmem", []string{"domain=test", "size=1G", "config"}},
		{"setmem --size 1G test", "setmem", []string{"size=1G", "domain=test"}},
		{"vol-info v1 default-pool", "vol-info", []string{"vol=v1", "pool=default-pool"}},
		{"vol-info --pool p v1", "vol-info", []string{"pool=p", "vol=v1"}},
		{"schedinfo test a=1 b=2", "schedinfo", []string{"domain=test", "set=a=1", "set=b=2"}},
		{"schedinfo test --weight 5", "schedinfo", []string{"domain=test", "weight=5"}},
		{"echo -- --foo -x", "echo", []string{"string=--foo", "string=-x"}},
		{"echo --shell -1", "echo", []string{"shell", "string=-1"}},
		{"dominfo -- --weird", "dominfo", []string{"domain=--weird"}},
		{"list -o json", "list", []string{"output=json"}},
		{"list --output=json --all", "list", []string{"output=json", "all"}},
		{"event nosuch lifecycle 1", "event", []string{"domain=nosuch", "event=lifecycle", "timeout=1"}},
		{"help --command list extra --foo", "help", []string{"command=list"}},
		{"list --help", "help", []string{"command=list"}},
		{"setmem --help", "help", []string{"command=setmem"}},
	}
	for _, tt := range tests {
		calls, err := parseCommands(tab, &stringLexer{s: tt.in})
		if err != nil {
			t.Errorf("parse %q: %v", tt.in, errorLines(err))
			continue
		}
		if len(calls) != 1 {
			t.Errorf("parse %q: got %d commands, want 1", tt.in, len(calls))
			continue
		}
		if got := calls[0].def.name; got != tt.cmd {
			t.Errorf("parse %q: got command %q, want %q", tt.in, got, tt.cmd)
		}
		if got := boundOpts(calls[0]); !reflect.DeepEqual(got, tt.opts) {
			t.Errorf("parse %q: got options %q, want %q", tt.in, got, tt.opts)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tab := commands()
	tests := []struct{ in, want string }{
		{"nosuch", "unknown command: 'nosuch'"},
		{"list --al", "command 'list' doesn't support option --al"},
		{"list --all=x", "invalid '=' after option --all"},
		{"list --all --all", "option --all already seen"},
		{"list extra", "unexpected data 'extra'"},
		{"dominfo", "command 'dominfo' requires <domain> option"},
		{"setmem test", "command 'setmem' requires --size option"},
		{"setmem", "command 'setmem' requires <domain> option\ncommand 'setmem' requires --size option"},
		{"dominfo --domain", "expected syntax: --domain <string>"},
		{"event --timeout", "expected syntax: --timeout <number>"},
		{"list; list --foo", "command 'list' doesn't support option --foo"},
		{"dominfo test extra", "unexpected data 'extra'"},
		{"schedinfo test --weight", "expected syntax: --weight <number>"},
	}
	for _, tt := range tests {
		_, err := parseCommands(tab, &stringLexer{s: tt.in})
		if err == nil {
			t.Errorf("parse %q: no error, want %q", tt.in, tt.want)
			continue
		}
		if got := strings.Join(errorLines(err), "\n"); got != tt.want {
			t.Errorf("parse %q: error %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseArgv(t *testing.T) {
	calls, err := parseCommands(commands(), &argvLexer{args: []string{"echo", "a;b", "c d"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := boundOpts(calls[0]), []string{"string=a;b", "string=c d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseScaled(t *testing.T) {
	tests := []struct {
		in      string
		def     uint64
		want    uint64
		wantErr string
	}{
		{"1024", 1024, 1024 * 1024, ""},
		{"1K", 1024, 1024, ""},
		{"1KiB", 1, 1024, ""},
		{"1KB", 1, 1000, ""},
		{"1M", 1, 1 << 20, ""},
		{"2G", 1, 2 << 30, ""},
		{"1b", 1024, 1, ""},
		{"+5", 1, 5, ""},
		{"abc", 1, 0, ""},
		{"-1", 1, 0, ""},
		{"1.5M", 1, 0, "invalid argument: unknown suffix '.5M'"},
		{"1X", 1, 0, "invalid argument: unknown suffix 'X'"},
	}
	for _, tt := range tests {
		got, err := parseScaled(tt.in, tt.def, ^uint64(0))
		switch {
		case tt.want != 0:
			if err != nil || got != tt.want {
				t.Errorf("parseScaled(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		case err == nil:
			t.Errorf("parseScaled(%q) = %d, want an error", tt.in, got)
		default:
			if got := strings.Join(errorLines(err), "\n"); got != tt.wantErr {
				t.Errorf("parseScaled(%q): error %q, want %q", tt.in, got, tt.wantErr)
			}
		}
	}
}

func TestParseGlobals(t *testing.T) {
	tests := []struct {
		args     []string
		rest     []string
		conn     string
		quiet    bool
		readOnly bool
		json     bool
	}{
		{[]string{"-c", "test:///default", "list"}, []string{"list"}, "test:///default", false, false, false},
		{[]string{"-ctest:///x", "list"}, []string{"list"}, "test:///x", false, false, false},
		{[]string{"--connect=test:///x", "list", "-q"}, []string{"list", "-q"}, "test:///x", false, false, false},
		{[]string{"--conn", "test:///x"}, []string{}, "test:///x", false, false, false},
		{[]string{"-qrc", "u", "--", "-x"}, []string{"-x"}, "u", true, true, false},
		{[]string{"-o", "json", "--read", "list"}, []string{"list"}, "", false, true, true},
		{[]string{"--output=json", "list"}, []string{"list"}, "", false, false, true},
	}
	for _, tt := range tests {
		s := newSession(t.Context(), strings.NewReader(""), io.Discard, io.Discard)
		rest, _, done := s.parseGlobals(tt.args)
		if done {
			t.Errorf("parseGlobals(%q): ended the invocation", tt.args)
			continue
		}
		if !reflect.DeepEqual(rest, tt.rest) || s.connName != tt.conn || s.quiet != tt.quiet ||
			s.readOnly != tt.readOnly || s.json != tt.json {
			t.Errorf("parseGlobals(%q) = %q conn=%q quiet=%v ro=%v json=%v; want %q %q %v %v %v",
				tt.args, rest, s.connName, s.quiet, s.readOnly, s.json, tt.rest, tt.conn, tt.quiet, tt.readOnly, tt.json)
		}
	}
}

func TestParseGlobalsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"-x"}, "error: unsupported option '-x'. See --help.\n", 1},
		{[]string{"--foo"}, "error: unsupported option '--foo'. See --help.\n", 1},
		{[]string{"--keep", "5"}, "error: unsupported option '--keep'. See --help.\n", 1},
		{[]string{"-c"}, "error: option '-c'/'--connect' requires an argument\n", 1},
		{[]string{"--quiet=1"}, "error: unsupported option '-q'. See --help.\n", 1},
		{[]string{"-o", "yaml"}, "error: unsupported output format 'yaml': use text or json\n", 1},
		{[]string{"-e", "ab"}, "error: Invalid string 'ab' for escape sequence\n", 1},
		{[]string{"-v"}, "", 0},
	}
	for _, tt := range tests {
		var errb strings.Builder
		s := newSession(t.Context(), strings.NewReader(""), io.Discard, &errb)
		_, code, done := s.parseGlobals(tt.args)
		if !done || code != tt.code || errb.String() != tt.want {
			t.Errorf("parseGlobals(%q): done=%v code=%d stderr=%q; want done, %d, %q", tt.args, done, code, errb.String(), tt.code, tt.want)
		}
	}
}

func TestTableRender(t *testing.T) {
	tab := newTable("Id", "Name", "State")
	tab.add("1", "test", "running")
	tab.add("-", "a\tb", "shut off")
	want := " Id   Name     State\n" +
		"-------------------------\n" +
		" 1    test     running\n" +
		" -    a\\x09b   shut off\n"
	if got := tab.render(true); got != want {
		t.Errorf("render(true) =\n%s\nwant\n%s", got, want)
	}
	wantQuiet := " 1   test     running\n -   a\\x09b   shut off\n"
	if got := tab.render(false); got != wantQuiet {
		t.Errorf("render(false) =\n%q\nwant\n%q", got, wantQuiet)
	}
}

func TestPrettyCapacity(t *testing.T) {
	tests := []struct {
		in   uint64
		want string
	}{
		{0, "0.00 B"},
		{1023, "1023.00 B"},
		{1024, "1.00 KiB"},
		{10 << 20, "10.00 MiB"},
		{100 << 30, "100.00 GiB"},
		{3 << 40, "3.00 TiB"},
		{1 << 62, "4.00 EiB"},
	}
	for _, tt := range tests {
		if got := fmtCapacity(tt.in); got != tt.want {
			t.Errorf("fmtCapacity(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzSplitBatch checks that splitting never panics and that every word of
// a successful split survives quoting with shellQuote and splitting again.
func FuzzSplitBatch(f *testing.F) {
	for _, s := range []string{"list --all", `a "b c"; d 'e'`, "a\\\nb # c\n", `"x`, `y\`, "#", ";;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmds, err := SplitBatch(s)
		if err != nil {
			return
		}
		for _, words := range cmds {
			quoted := make([]string, len(words))
			for i, w := range words {
				quoted[i] = shellQuote(w)
			}
			again, err := SplitBatch(strings.Join(quoted, " "))
			if err != nil {
				t.Fatalf("re-split of %q: %v", quoted, err)
			}
			if strings.ContainsAny(strings.Join(words, ""), "\n;#") {
				continue // comments and separators inside words need more than shell quoting
			}
			if len(again) != 1 || !reflect.DeepEqual(again[0], words) {
				t.Fatalf("words %q re-split as %q", words, again)
			}
		}
	})
}

// FuzzParseArgs checks that parsing any global options and command line,
// as an argument vector and as a batch string, never panics.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"-c test:///default list --all", "-q -r dominfo test", "--conn=x help list",
		"-o json net-list", "setmem test 1G --config", "echo -- --x", "-ctest:///d", "--version=long"} {
		f.Add(s)
	}
	tab := commands()
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Fields(s)
		sess := newSession(t.Context(), strings.NewReader(""), io.Discard, io.Discard)
		rest, _, done := sess.parseGlobals(args)
		if done {
			return
		}
		parseCommands(tab, &argvLexer{args: rest})
		parseCommands(tab, &stringLexer{s: s})
	})
}
