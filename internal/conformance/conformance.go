// Package conformance measures how closely govirt agrees with libvirt on a
// corpus of libvirt's own cases laid out like
// ../shared/conformance/libvirt-9.0.0: domain/, network/ and storagepool/
// hold NAME.xml inputs with libvirt's answer (NAME.libvirt.xml, the dumped
// definition, or NAME.libvirt.err, a refusal); virsh/ holds NNN.cmd command
// lines with virsh's NNN.out and NNN.rc; xen-xm/, xen-xl/ and vmx/ hold
// native configs with the domain XML libvirt converts them to (see
// native.go).
//
// Where libvirt accepted a document but recorded an empty dump (the
// network and storagepool folders of libvirt-9.0.0 are like that: its test
// driver refused the dump flags), only acceptance is compared.
//
// Every case runs through the public API against a fresh test:///default
// node, exactly as libvirt's answers were produced.
package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virt"
)

// Case is the outcome of one case.
type Case struct {
	Name   string
	Agree  bool
	Reason string // why it disagrees
}

// Folder is the outcome of one folder of the corpus.
type Folder struct {
	Name  string
	Cases []Case
}

// Agreed counts the cases that agree.
func (f *Folder) Agreed() int {
	n := 0
	for _, c := range f.Cases {
		if c.Agree {
			n++
		}
	}
	return n
}

// CLI runs one command line of the govirt CLI in-process and returns its
// exit code; the runner uses it for the virsh/ folder.
type CLI func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// Folders lists the folders the runner knows, in the order it reports them.
var Folders = []string{"domain", "network", "storagepool", "virsh", "xen-xm", "xen-xl", "vmx"}

// Run runs the folders of corpus that exist (all known ones when only is
// empty) and returns their outcomes.
func Run(ctx context.Context, corpus string, only []string, cli CLI) ([]Folder, error) {
	if len(only) == 0 {
		only = Folders
	}
	var out []Folder
	for _, name := range only {
		dir := filepath.Join(corpus, name)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		var (
			f   Folder
			err error
		)
		switch name {
		case "domain":
			f, err = runXML(ctx, dir, name, defineDomain)
		case "network":
			f, err = runXML(ctx, dir, name, defineNetwork)
		case "storagepool":
			f, err = runXML(ctx, dir, name, definePool)
		case "virsh":
			f, err = runVirsh(dir, cli)
		case "xen-xm":
			f, err = runNative(dir, name, kindXM)
		case "xen-xl":
			f, err = runNative(dir, name, kindXL)
		case "vmx":
			f, err = runNative(dir, name, kindVMX)
		default:
			return nil, fmt.Errorf("unknown corpus folder %q", name)
		}
		if err != nil {
			return nil, fmt.Errorf("folder %s: %w", name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Report writes one line per folder and a total line; with verbose, the
// disagreeing cases with their reasons.
func Report(w io.Writer, folders []Folder, verbose bool) {
	total, agreed := 0, 0
	for _, f := range folders {
		if verbose {
			for _, c := range f.Cases {
				if !c.Agree {
					fmt.Fprintf(w, "  %s/%s: %s\n", f.Name, c.Name, c.Reason)
				}
			}
		}
		fmt.Fprintf(w, "%s: %d/%d agree\n", f.Name, f.Agreed(), len(f.Cases))
		total += len(f.Cases)
		agreed += f.Agreed()
	}
	fmt.Fprintf(w, "conformance: %d/%d agree\n", agreed, total)
}

// defineFunc defines the document on conn and returns the inactive XML
// dumped back, or the definition error.
type defineFunc func(ctx context.Context, conn *virt.Conn, doc string) (string, error)

func defineDomain(ctx context.Context, conn *virt.Conn, doc string) (string, error) {
	d, err := conn.DefineDomain(ctx, doc, 0)
	if err != nil {
		return "", err
	}
	return d.XML(ctx, virt.XMLInactive)
}

func defineNetwork(ctx context.Context, conn *virt.Conn, doc string) (string, error) {
	n, err := conn.DefineNetwork(ctx, doc)
	if err != nil {
		return "", err
	}
	// libvirt's test driver refuses --inactive on net-dumpxml; a defined
	// network is inactive anyway, so the plain dump is the same document.
	return n.XML(ctx, 0)
}

func definePool(ctx context.Context, conn *virt.Conn, doc string) (string, error) {
	p, err := conn.DefineStoragePool(ctx, doc)
	if err != nil {
		return "", err
	}
	return p.XML(ctx, 0)
}

// runXML runs every NAME.xml input of dir through define and dump.
func runXML(ctx context.Context, dir, name string, define defineFunc) (Folder, error) {
	f := Folder{Name: name}
	inputs, err := xmlInputs(dir)
	if err != nil {
		return f, err
	}
	for _, base := range inputs {
		c, err := runXMLCase(ctx, dir, base, define)
		if err != nil {
			return f, err
		}
		f.Cases = append(f.Cases, c)
	}
	return f, nil
}

// xmlInputs lists the case names of dir: NAME for each NAME.xml that has a
// libvirt answer beside it.
func xmlInputs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, e := range ents {
		have[e.Name()] = true
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".xml") || strings.HasSuffix(n, ".libvirt.xml") {
			continue
		}
		base := strings.TrimSuffix(n, ".xml")
		if have[base+".libvirt.xml"] || have[base+".libvirt.err"] {
			names = append(names, base)
		}
	}
	sort.Strings(names)
	return names, nil
}

func runXMLCase(ctx context.Context, dir, base string, define defineFunc) (Case, error) {
	c := Case{Name: base}
	input, err := os.ReadFile(filepath.Join(dir, base+".xml"))
	if err != nil {
		return c, err
	}
	want, werr := os.ReadFile(filepath.Join(dir, base+".libvirt.xml"))
	refused := werr != nil
	conn, err := virt.Open(ctx, "test:///default")
	if err != nil {
		return c, fmt.Errorf("open test:///default: %w", err)
	}
	got, derr := safeDefine(ctx, conn, string(input), define)
	conn.Close()
	switch {
	case refused && derr != nil:
		c.Agree = true
	case refused:
		msg, _ := os.ReadFile(filepath.Join(dir, base+".libvirt.err"))
		c.Reason = "accepted; libvirt refused: " + lastLine(string(msg))
	case derr != nil:
		c.Reason = "refused: " + firstLine(derr.Error())
	case len(bytes.TrimSpace(want)) == 0:
		// libvirt accepted the document but its dump came out empty (its
		// test driver refused the dump's flags when the corpus was made):
		// acceptance is all there is to compare.
		c.Agree = true
	default:
		if diff := compareXML(string(input), got, string(want)); diff != "" {
			c.Reason = diff
		} else {
			c.Agree = true
		}
	}
	return c, nil
}

// safeDefine turns a panic in the code under test into a disagreement
// instead of ending the run.
func safeDefine(ctx context.Context, conn *virt.Conn, doc string, define defineFunc) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return define(ctx, conn, doc)
}

var generatedRE = regexp.MustCompile(`^(\s*<(uuid|genid)>)([^<]*)(</(uuid|genid)>)$`)

var uuidShapeRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// generatedMACRE matches a MAC address libvirt generates for an interface
// that has none: QEMU's prefix 52:54:00 and three random bytes.
var generatedMACRE = regexp.MustCompile(`^(\s*<mac address=')(52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2})('/>)$`)

// normalise trims trailing white space of each line and trailing blank
// lines, and replaces the values libvirt draws at random when the input
// did not hold them (uuid, genid, an interface's MAC address) by a
// placeholder when they have the right shape.
func normalise(input, doc string) []string {
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if m := generatedRE.FindStringSubmatch(l); m != nil && !strings.Contains(input, m[3]) && uuidShapeRE.MatchString(m[3]) {
			l = m[1] + "GENERATED" + m[4]
		}
		if m := generatedMACRE.FindStringSubmatch(l); m != nil && !strings.Contains(strings.ToLower(input), m[2]) {
			l = m[1] + "GENERATED" + m[3]
		}
		lines[i] = l
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// compareXML returns "" when got agrees with want, else the first
// differing line.
func compareXML(input, got, want string) string {
	g, w := normalise(input, got), normalise(input, want)
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

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// clockRE matches the values that libvirt derives from the clock: CPU time
// in dominfo and vcpuinfo.
var clockRE = regexp.MustCompile(`(?m)^(CPU time:\s+)[0-9.]+s$`)

// runVirsh runs each NNN.cmd through the CLI and compares stdout and the
// exit code with virsh's.
func runVirsh(dir string, cli CLI) (Folder, error) {
	f := Folder{Name: "virsh"}
	cmds, err := filepath.Glob(filepath.Join(dir, "*.cmd"))
	if err != nil {
		return f, err
	}
	sort.Strings(cmds)
	for _, path := range cmds {
		base := strings.TrimSuffix(filepath.Base(path), ".cmd")
		c := Case{Name: base}
		cmd, err := os.ReadFile(path)
		if err != nil {
			return f, err
		}
		wantOut, err := os.ReadFile(filepath.Join(dir, base+".out"))
		if err != nil {
			return f, err
		}
		rcText, err := os.ReadFile(filepath.Join(dir, base+".rc"))
		if err != nil {
			return f, err
		}
		wantRC, err := strconv.Atoi(strings.TrimSpace(string(rcText)))
		if err != nil {
			return f, fmt.Errorf("%s.rc: %w", base, err)
		}
		var stdout, stderr bytes.Buffer
		rc := safeCLI(cli, []string{"-c", "test:///default", strings.TrimRight(string(cmd), "\n")}, &stdout, &stderr)
		got := clockRE.ReplaceAllString(stdout.String(), "${1}CLOCK")
		want := clockRE.ReplaceAllString(string(wantOut), "${1}CLOCK")
		switch {
		case rc != wantRC:
			c.Reason = fmt.Sprintf("exit code %d, want %d (stderr %q)", rc, wantRC, firstLine(stderr.String()))
		case got != want:
			c.Reason = "stdout: " + compareXML("", got, want)
			if c.Reason == "stdout: " {
				c.Reason = "stdout differs in trailing white space"
			}
		default:
			c.Agree = true
		}
		f.Cases = append(f.Cases, c)
	}
	return f, nil
}

func safeCLI(cli CLI, args []string, stdout, stderr io.Writer) (rc int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "panic: %v", r)
			rc = -1
		}
	}()
	return cli(args, strings.NewReader(""), stdout, stderr)
}
