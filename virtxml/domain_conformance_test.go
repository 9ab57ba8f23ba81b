package virtxml

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// domainCorpus is libvirt's domain cases, relative to this package.
const domainCorpus = "../../shared/conformance/libvirt-9.0.0/domain"

// domainAgreementFloor is the least share of domain cases (in percent)
// that must agree with libvirt; raise it as the model improves.
const domainAgreementFloor = 98.5

var showDisagree = flag.String("domaincase", "", "print the full diff of domain cases whose name contains this")

// testDomainUUID is the uuid of the domain 'test' that test:///default
// already holds.
const testDomainUUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"

type domainCase struct {
	name    string
	input   []byte
	want    []byte // dumped XML, or nil when libvirt refused
	wantErr string // libvirt's message when it refused
}

func loadDomainCases(t testing.TB) []domainCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(domainCorpus, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no domain corpus at %s: %v", domainCorpus, err)
	}
	sort.Strings(files)
	var cases []domainCase
	for _, f := range files {
		if strings.HasSuffix(f, ".libvirt.xml") {
			continue
		}
		base := strings.TrimSuffix(f, ".xml")
		c := domainCase{name: filepath.Base(base)}
		if c.input, err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
		if w, err := os.ReadFile(base + ".libvirt.xml"); err == nil {
			c.want = w
		} else if e, err := os.ReadFile(base + ".libvirt.err"); err == nil {
			lines := strings.Split(strings.TrimSpace(string(e)), "\n")
			c.wantErr = strings.TrimPrefix(lines[len(lines)-1], "error: ")
		} else {
			continue
		}
		cases = append(cases, c)
	}
	return cases
}

// defineLikeTestDriver does what test:///default does with a definition
// beyond parsing: refuse a second uuid for 'test', and name interfaces
// without a target 'testnetN'.
func defineLikeTestDriver(input []byte) ([]byte, error) {
	d, err := ParseDomain(input)
	if err != nil {
		return nil, err
	}
	if d.Name == "test" && d.UUID.String() != testDomainUUID {
		return nil, fmt.Errorf("operation failed: domain 'test' already exists with uuid %s", testDomainUUID)
	}
	used := map[string]bool{}
	for _, n := range d.Devices.Interfaces {
		if n.Target != nil {
			used[n.Target.Dev] = true
		}
	}
	next := 0
	for i := range d.Devices.Interfaces {
		n := &d.Devices.Interfaces[i]
		if n.Target != nil && n.Target.Dev != "" {
			continue
		}
		for used[fmt.Sprintf("testnet%d", next)] {
			next++
		}
		name := fmt.Sprintf("testnet%d", next)
		used[name] = true
		if n.Target == nil {
			n.Target = &InterfaceTarget{}
		}
		n.Target.Dev = name
	}
	return d.Format(FormatInactive)
}

var genRE = regexp.MustCompile(`^(\s*<(uuid|genid)>)([^<]*)(</(uuid|genid)>)$`)
var macRE = regexp.MustCompile(`<mac address='52:54:00:[0-9a-f:]{8}'/>`)

func normaliseDomainXML(input, doc string) []string {
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if m := genRE.FindStringSubmatch(l); m != nil && !strings.Contains(input, m[3]) {
			l = m[1] + "GENERATED" + m[4]
		}
		if m := macRE.FindString(l); m != "" && !strings.Contains(input, m[14:31]) {
			l = strings.Replace(l, m, "<mac address='GENERATED'/>", 1)
		}
		lines[i] = l
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// firstDiff returns "" when got and want agree, else the first
// differing line.
func firstDiff(input, got, want string) string {
	g, w := normaliseDomainXML(input, got), normaliseDomainXML(input, want)
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, strings.TrimSpace(gl), strings.TrimSpace(wl))
		}
	}
	return ""
}

func runDomainCase(c domainCase) (agree, msgAgree bool, reason string) {
	defer func() {
		if r := recover(); r != nil {
			agree, msgAgree, reason = false, false, fmt.Sprintf("panic: %v", r)
		}
	}()
	out, err := defineLikeTestDriver(c.input)
	switch {
	case c.want == nil && err != nil:
		got := err.Error()
		if xe, ok := err.(*Error); ok {
			got = codePrefix(xe.Code) + xe.Msg
		}
		if got == c.wantErr {
			return true, true, ""
		}
		return true, false, fmt.Sprintf("message %q, want %q", got, c.wantErr)
	case c.want == nil:
		return false, false, "accepted; libvirt refused: " + c.wantErr
	case err != nil:
		return false, false, "refused: " + err.Error()
	}
	if d := firstDiff(string(c.input), string(out), string(c.want)); d != "" {
		return false, false, d
	}
	return true, true, ""
}

// codePrefix is the text libvirt puts before a message of class code.
func codePrefix(code ErrorCode) string {
	switch code {
	case CodeXML:
		return "XML error: "
	case CodeConfigUnsupported:
		return "unsupported configuration: "
	case CodeInternal:
		return "internal error: "
	case CodeInvalidArg:
		return "invalid argument: "
	case CodeOperationFailed:
		return "operation failed: "
	}
	return ""
}

func TestDomainConformance(t *testing.T) {
	cases := loadDomainCases(t)
	agreed, msgAgreed := 0, 0
	var failures []string
	for _, c := range cases {
		ok, msgOK, reason := runDomainCase(c)
		if ok {
			agreed++
		}
		if msgOK {
			msgAgreed++
		}
		if !msgOK {
			failures = append(failures, c.name+": "+reason)
		}
		if *showDisagree != "" && strings.Contains(c.name, *showDisagree) {
			out, err := defineLikeTestDriver(c.input)
			t.Logf("%s:\nerr=%v\n%s", c.name, err, out)
		}
	}
	pct := 100 * float64(agreed) / float64(len(cases))
	if testing.Verbose() {
		for _, f := range failures {
			t.Log(f)
		}
	}
	t.Logf("domain conformance: %d/%d agree (%.1f%%); with libvirt's exact message: %d/%d",
		agreed, len(cases), pct, msgAgreed, len(cases))
	if pct < domainAgreementFloor {
		t.Errorf("domain agreement %.1f%% fell below the floor %.1f%%", pct, domainAgreementFloor)
	}
}
