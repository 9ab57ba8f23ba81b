package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/drivers"
)

// update regenerates testdata/golden from the real virsh (or, for cases
// marked "~", from govirt itself).
var update = flag.Bool("update", false, "regenerate golden files")

func TestMain(m *testing.M) {
	drivers.RegisterDefaults()
	os.Exit(m.Run())
}

// goldenCase is one line of testdata/cases.txt.
type goldenCase struct {
	name  string
	args  []string
	stdin string
	// own cases record govirt's output: they differ from virsh on purpose
	// (help prose) and are not compared with virsh live.
	own bool
}

// loadCases reads testdata/cases.txt.
func loadCases(t *testing.T) []goldenCase {
	t.Helper()
	data, err := os.ReadFile("testdata/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	index := map[string]int{}
	for n, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("cases.txt:%d: no ':' in %q", n+1, line)
		}
		if base, isStdin := strings.CutSuffix(name, ".stdin"); isStdin {
			i, ok := index[base]
			if !ok {
				t.Fatalf("cases.txt:%d: stdin for unknown case %q", n+1, base)
			}
			cases[i].stdin = strings.ReplaceAll(strings.TrimPrefix(rest, " "), `\n`, "\n")
			continue
		}
		c := goldenCase{name: name}
		if c.own = strings.HasPrefix(name, "~"); c.own {
			c.name = name[1:]
		}
		if _, dup := index[c.name]; dup {
			t.Fatalf("cases.txt:%d: case %q is defined twice", n+1, c.name)
		}
		if argv, isArgv := strings.CutPrefix(rest, ":"); isArgv {
			words, err := SplitBatch(strings.TrimSpace(argv))
			if err != nil {
				t.Fatalf("cases.txt:%d: %v", n+1, err)
			}
			if len(words) > 0 {
				c.args = words[0]
			}
			if c.args == nil {
				c.args = []string{}
			}
		} else {
			c.args = []string{"-c", "test:///default", strings.TrimPrefix(rest, " ")}
		}
		index[c.name] = len(cases)
		cases = append(cases, c)
	}
	return cases
}

// result is what one run printed and returned.
type result struct {
	stdout, stderr string
	rc             int
}

var (
	clockRE   = regexp.MustCompile(`(?m)^(CPU time:?\s+)[0-9]+\.[0-9]s$`)
	stampRE   = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}: `)
	timingRE  = regexp.MustCompile(`\(Time: [0-9.]+ ms\)`)
	promptRE  = regexp.MustCompile(`virsh ([#>]) `)
	welcomeRE = regexp.MustCompile(`Welcome to virsh,`)
)

// normalize replaces what depends on the clock or the machine, and virsh's
// own name where govirt prints its own.
func normalize(s string) string {
	s = clockRE.ReplaceAllString(s, "${1}CLOCK")
	s = stampRE.ReplaceAllString(s, "TIMESTAMP: ")
	s = timingRE.ReplaceAllString(s, "(Time: TIME ms)")
	s = promptRE.ReplaceAllString(s, "govirt $1 ")
	s = welcomeRE.ReplaceAllString(s, "Welcome to govirt,")
	if h, err := os.Hostname(); err == nil && h != "" {
		s = regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(h)+`$`).ReplaceAllString(s, "HOSTNAME")
	}
	return s
}

// runGovirt runs the CLI in-process.
func runGovirt(c goldenCase) result {
	var out, errb bytes.Buffer
	rc := Main(c.args, strings.NewReader(c.stdin), &out, &errb)
	return result{out.String(), errb.String(), rc}
}

// runVirsh runs the real virsh with the same arguments and input. virsh
// 9.0 sometimes hangs at exit after a failed command (its event loop
// thread), so a run that takes too long is retried.
func runVirsh(c goldenCase) (result, error) {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		var r result
		if r, err = runVirshOnce(c); err == nil {
			return r, nil
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			break
		}
	}
	return result{}, err
}

func runVirshOnce(c goldenCase) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "virsh", c.args...)
	cmd.Stdin = strings.NewReader(c.stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "LIBVIRT_DEFAULT_URI=") && !strings.HasPrefix(e, "VIRSH_DEFAULT_CONNECT_URI=") {
			env = append(env, e)
		}
	}
	cmd.Env = env
	err := cmd.Run()
	if ctx.Err() != nil {
		return result{}, ctx.Err()
	}
	rc := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return result{}, err
		}
		rc = ee.ExitCode()
	}
	return result{out.String(), errb.String(), rc}, nil
}

// Golden files hold a header line and three sections. A section whose text
// does not end in a newline says so in its header.
func formatGolden(c goldenCase, r result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %q\n", c.args)
	section := func(name, text string) {
		if text != "" && !strings.HasSuffix(text, "\n") {
			fmt.Fprintf(&b, "-- %s (no final newline) --\n%s\n", name, text)
			return
		}
		fmt.Fprintf(&b, "-- %s --\n%s", name, text)
	}
	section("stdout", r.stdout)
	section("stderr", r.stderr)
	section("rc", strconv.Itoa(r.rc)+"\n")
	return b.String()
}

var sectionRE = regexp.MustCompile(`(?m)^-- (stdout|stderr|rc)( \(no final newline\))? --\n`)

func parseGolden(data string) (result, error) {
	var r result
	locs := sectionRE.FindAllStringSubmatchIndex(data, -1)
	if len(locs) != 3 {
		return r, fmt.Errorf("want 3 sections, found %d", len(locs))
	}
	for i, l := range locs {
		end := len(data)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		text := data[l[1]:end]
		if l[4] >= 0 {
			text = strings.TrimSuffix(text, "\n")
		}
		switch data[l[2]:l[3]] {
		case "stdout":
			r.stdout = text
		case "stderr":
			r.stderr = text
		case "rc":
			n, err := strconv.Atoi(strings.TrimSpace(text))
			if err != nil {
				return r, fmt.Errorf("rc: %w", err)
			}
			r.rc = n
		}
	}
	return r, nil
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".txt") }

// loadKnown reads testdata/known-divergent.txt: case name to reason.
func loadKnown(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("testdata/known-divergent.txt")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, _ := strings.Cut(line, ":")
		known[name] = strings.TrimSpace(reason)
	}
	return known
}

// differences lists how got differs from want.
func differences(got, want result) []string {
	var out []string
	if g, w := normalize(got.stdout), normalize(want.stdout); g != w {
		out = append(out, "stdout differs:\n"+lineDiff(g, w))
	}
	if g, w := normalize(got.stderr), normalize(want.stderr); g != w {
		out = append(out, "stderr differs:\n"+lineDiff(g, w))
	}
	if got.rc != want.rc {
		out = append(out, fmt.Sprintf("got exit code %d, want %d", got.rc, want.rc))
	}
	return out
}

// compare fails the test when got differs from want, except for cases
// known to differ, which must still differ.
func compare(t *testing.T, known map[string]string, name string, got, want result) {
	t.Helper()
	diffs := differences(got, want)
	reason, isKnown := known[name]
	switch {
	case isKnown && len(diffs) == 0:
		t.Errorf("%s: now agrees with virsh; remove it from testdata/known-divergent.txt", name)
	case isKnown:
		t.Logf("%s: known difference (%s)", name, reason)
	default:
		for _, d := range diffs {
			t.Errorf("%s: %s", name, d)
		}
	}
}

// lineDiff shows the first differing line with some context.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d:\n  got  %q\n  want %q\n--- got ---\n%s--- want ---\n%s", i+1, gl, wl, got, want)
		}
	}
	return "(same lines)"
}

// TestGolden runs every case through govirt in-process and compares with
// the golden output recorded from the real virsh.
func TestGolden(t *testing.T) {
	cases := loadCases(t)
	known := loadKnown(t)
	if *update {
		if err := os.MkdirAll(filepath.Join("testdata", "golden"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cases {
		if *update {
			var r result
			if c.own {
				r = runGovirt(c)
			} else {
				var err error
				if r, err = runVirsh(c); err != nil {
					t.Fatalf("%s: run virsh: %v", c.name, err)
				}
			}
			r.stdout, r.stderr = normalize(r.stdout), normalize(r.stderr)
			if err := os.WriteFile(goldenPath(c.name), []byte(formatGolden(c, r)), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(goldenPath(c.name))
		if err != nil {
			t.Errorf("%s: %v (regenerate with -update)", c.name, err)
			continue
		}
		want, err := parseGolden(string(data))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		compare(t, known, c.name, runGovirt(c), want)
	}
}

// TestLiveVirsh runs every case through both govirt and the installed
// virsh and compares them. It needs virsh; TestGolden covers machines
// without it.
func TestLiveVirsh(t *testing.T) {
	if _, err := exec.LookPath("virsh"); err != nil {
		t.Skip("virsh is not installed; TestGolden compares with recorded virsh output")
	}
	known := loadKnown(t)
	for _, c := range loadCases(t) {
		if c.own {
			continue
		}
		want, err := runVirsh(c)
		if err != nil {
			t.Fatalf("%s: run virsh: %v", c.name, err)
		}
		compare(t, known, c.name, runGovirt(c), want)
	}
}

// TestGoldenFilesUsed fails when a golden file has no case, so stale files
// do not accumulate.
func TestGoldenFilesUsed(t *testing.T) {
	names := map[string]bool{}
	for _, c := range loadCases(t) {
		names[c.name] = true
	}
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if n := strings.TrimSuffix(filepath.Base(f), ".txt"); !names[n] {
			t.Errorf("golden file %s has no case in testdata/cases.txt", f)
		}
	}
}

// helpShape extracts what help derives from a command's option table: the
// SYNOPSIS line and the left column of OPTIONS (the prose is govirt's own).
func helpShape(help string) string {
	var b strings.Builder
	section := ""
	for _, line := range strings.Split(help, "\n") {
		switch strings.TrimSpace(line) {
		case "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS":
			section = strings.TrimSpace(line)
			continue
		}
		if line == "" {
			continue
		}
		switch section {
		case "SYNOPSIS":
			b.WriteString(strings.TrimSpace(line) + "\n")
		case "OPTIONS":
			// Lines that continue a long description start with more
			// blanks and no option.
			if len(line) < 5 || !strings.HasPrefix(line, "    ") || !strings.ContainsRune("-[<", rune(line[4])) {
				continue
			}
			left, _, _ := strings.Cut(strings.TrimPrefix(line, "    "), "  ")
			b.WriteString("  " + left + "\n")
		}
	}
	return b.String()
}

// TestHelpSynopsis checks every command's option table against virsh's:
// the SYNOPSIS line and the option column of "help COMMAND", recorded in
// testdata/synopsis.txt from virsh 9.0.
func TestHelpSynopsis(t *testing.T) {
	var names []string
	for _, g := range commands().groups {
		for _, c := range g.cmds {
			if !c.extension { // virsh has no help for govirt's own commands
				names = append(names, c.name)
			}
		}
	}
	path := filepath.Join("testdata", "synopsis.txt")
	if *update {
		var b strings.Builder
		for _, n := range names {
			r, err := runVirsh(goldenCase{args: []string{"help", n}})
			if err != nil || r.rc != 0 {
				t.Fatalf("virsh help %s: %v %q", n, err, r.stderr)
			}
			b.WriteString(helpShape(r.stdout))
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	var cur string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "  ") {
			cur, _, _ = strings.Cut(strings.TrimSpace(line), " ")
		}
		want[cur] += line
	}
	for _, n := range names {
		got := helpShape(commandHelp(commands().lookup(n)))
		if got != want[n] {
			t.Errorf("help %s:\ngot\n%swant\n%s", n, got, want[n])
		}
	}
}
