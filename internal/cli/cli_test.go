package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/conformance"
)

// run runs govirt in-process with stdin and returns what it printed.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runGovirt(goldenCase{args: args, stdin: stdin})
}

func TestJSONOutput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// check decodes the output and reports a problem.
		check func(data []byte) error
	}{
		{"list", []string{"-o", "json", "list", "--all"}, func(b []byte) error {
			var v []domainJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(v) != 1 || v[0].Name != "test" || v[0].ID == nil || *v[0].ID != 1 || v[0].State != "running" ||
				v[0].UUID != "6695eb01-f6a4-8304-79aa-97f2502e193f" || !v[0].Persistent {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"list-after", []string{"list --all --output json"}, func(b []byte) error {
			var v []domainJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(v) != 1 || v[0].Name != "test" {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"list-inactive-empty", []string{"-o", "json", "list", "--inactive"}, func(b []byte) error {
			if s := strings.TrimSpace(string(b)); s != "[]" {
				return fmt.Errorf("got %q, want []", s)
			}
			return nil
		}},
		{"dominfo", []string{"-o", "json", "dominfo", "test"}, func(b []byte) error {
			var v dominfoJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if v.Name != "test" || v.CPUs != 2 || v.MaxMemoryKiB != 8388608 || v.UsedMemoryKiB != 2097152 ||
				v.OSType != "linux" || v.Persistent == nil || !*v.Persistent || v.SecurityModel != "testSecurity" {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"domstate", []string{"domstate test -o json"}, func(b []byte) error {
			var v domstateJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if v.State != "running" || v.Reason != "unknown" {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"nodeinfo", []string{"-o", "json", "nodeinfo"}, func(b []byte) error {
			var v nodeinfoJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if v.CPUs != 16 || v.MHz != 1400 || v.MemoryKiB != 3145728 || v.CPUModel != "i686" {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"net-list", []string{"-o", "json", "net-list", "--all"}, func(b []byte) error {
			var v []networkJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(v) != 1 || v[0].Name != "default" || !v[0].Active || v[0].Bridge != "virbr0" {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"net-info", []string{"-o", "json", "net-info", "default"}, func(b []byte) error {
			var v networkJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if v.UUID != "dd8fe884-6c02-601e-7551-cca97df1c5df" || !v.Persistent {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"pool-list", []string{"-o", "json", "pool-list", "--all"}, func(b []byte) error {
			var v []poolJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(v) != 1 || v[0].Name != "default-pool" || v[0].State != "running" ||
				v[0].Capacity == nil || *v[0].Capacity != 100<<30 {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"pool-info-inactive", []string{"pool-destroy default-pool; pool-info -o json default-pool"}, func(b []byte) error {
			// -q silences pool-destroy's message: stdout is the JSON alone.
			var v poolJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if v.State != "inactive" || v.Capacity != nil {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"vol-list", []string{"-o", "json", "vol-create-as default-pool v1 1M; vol-list default-pool"}, func(b []byte) error {
			var v []volJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(v) != 1 || v[0].Name != "v1" || v[0].Path != "/default-pool/v1" || v[0].Capacity != 1<<20 || v[0].Type != "file" {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"domblklist", []string{"-o", "json", "domblklist", "test"}, func(b []byte) error {
			var v []blockJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(v) != 1 || v[0].Target != "vda" || v[0].Source != "/guest/diskimage1" || v[0].Device != "disk" {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"domiflist", []string{"-o", "json", "domiflist", "test"}, func(b []byte) error {
			var v []ifaceJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(v) != 1 || v[0].Interface != "testnet0" || v[0].Source != "default" || v[0].MAC != "aa:bb:cc:dd:ee:ff" {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"vcpuinfo", []string{"-o", "json", "vcpuinfo", "test"}, func(b []byte) error {
			var v []vcpuJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(v) != 2 || v[1].VCPU != 1 || v[1].State != "running" || len(v[1].Affinity) != 8 {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
		{"iface-list", []string{"-o", "json", "iface-list", "--all"}, func(b []byte) error {
			var v []hostIfaceJSON
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(v) != 1 || v[0].Name != "eth1" || !v[0].Active {
				return fmt.Errorf("got %+v", v)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		r := run(t, "", append([]string{"-q", "-c", "test:///default"}, tt.args...)...)
		if r.rc != 0 || r.stderr != "" {
			t.Errorf("%s: exit code %d, stderr %q", tt.name, r.rc, r.stderr)
			continue
		}
		if err := tt.check([]byte(r.stdout)); err != nil {
			t.Errorf("%s: %v\n%s", tt.name, err, r.stdout)
		}
	}
}

func TestJSONBadFormat(t *testing.T) {
	r := run(t, "", "-c", "test:///default", "list --output yaml")
	if r.rc != 1 || r.stderr != "error: unsupported output format 'yaml': use text or json\n" {
		t.Errorf("got rc %d, stderr %q", r.rc, r.stderr)
	}
}

// TestShellScript runs a session from a non-terminal standard input and
// checks the transcript: banner, prompt and echoed line, output, and the
// final newline; quit ends the session early.
func TestShellScript(t *testing.T) {
	r := run(t, "uri\ndomstate nosuch\nquit\nuri\n", "-c", "test:///default")
	want := "Welcome to govirt, the virtualization interactive terminal.\n\n" +
		"Type:  'help' for help with commands\n       'quit' to quit\n\n" +
		"govirt # uri\ntest:///default\n\n" +
		"govirt # domstate nosuch\n\n" +
		"govirt # quit\n\n"
	if r.stdout != want || r.stderr != "error: failed to get domain 'nosuch'\n" || r.rc != 0 {
		t.Errorf("got rc %d stdout\n%q\nstderr %q\nwant stdout\n%q", r.rc, r.stdout, r.stderr, want)
	}
}

func TestShellReadOnlyPrompt(t *testing.T) {
	r := run(t, "destroy test", "-q", "-r", "-c", "test:///default")
	if r.stdout != "govirt > destroy test\ngovirt > \n" {
		t.Errorf("stdout %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "read only access prevents virDomainDestroy") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// TestShellCdIsPerSession checks that cd changes the session's directory
// (used for relative file arguments) but not the process's.
func TestShellCdIsPerSession(t *testing.T) {
	before, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs("testdata/xml")
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, "cd "+abs+"\npwd\ndefine dom2.xml\n", "-q", "-c", "test:///default")
	want := "govirt # cd " + abs + "\ngovirt # pwd\n" + abs + "\ngovirt # define dom2.xml\ngovirt # \n"
	if r.stdout != want || r.stderr != "" {
		t.Errorf("stdout %q stderr %q, want %q", r.stdout, r.stderr, want)
	}
	if after, _ := os.Getwd(); after != before {
		t.Errorf("process directory changed from %s to %s", before, after)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"-c", "test:///default", "uri"}, 0},
		{[]string{"-c", "test:///default", "dominfo nosuch"}, 1},
		{[]string{"-c", "test:///default", "dominfo nosuch; uri"}, 0},
		{[]string{"-c", "test:///default", "uri; dominfo nosuch"}, 1},
		{[]string{"-c", "test:///default", "uri; list --bogus"}, 1},
		{[]string{"-c", "test:///default", ""}, 1},
		{[]string{"-c", "test:///default", " "}, 0},
		{[]string{"-c", "nosuchscheme:///x", "uri"}, 1},
		{[]string{"-c", "test:///default", "quit"}, 0},
		{[]string{"-v"}, 0},
		{[]string{"-h"}, 0},
		{[]string{"-Z"}, 1},
	}
	for _, tt := range tests {
		if r := run(t, "", tt.args...); r.rc != tt.want {
			t.Errorf("%q: exit code %d, want %d (stderr %q)", tt.args, r.rc, tt.want, r.stderr)
		}
	}
}

func TestConnectFailure(t *testing.T) {
	r := run(t, "", "-c", "nosuchscheme:///x", "uri")
	if r.stdout != "" || !strings.HasPrefix(r.stderr, "error: failed to connect to the hypervisor\nerror: ") {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	// Commands that need no connection still work without -c ...
	t.Setenv("LIBVIRT_DEFAULT_URI", "nosuchscheme:///x")
	t.Setenv("VIRSH_DEFAULT_CONNECT_URI", "")
	if r := run(t, "", "help uri"); r.rc != 0 {
		t.Errorf("help without a connection: rc %d stderr %q", r.rc, r.stderr)
	}
	// ... and the others fail one by one.
	r = run(t, "", "uri; uri")
	if strings.Count(r.stderr, "failed to connect to the hypervisor") != 2 || r.rc != 1 {
		t.Errorf("lazy connection: rc %d stderr %q", r.rc, r.stderr)
	}
}

func TestDefaultURIPrecedence(t *testing.T) {
	t.Setenv("LIBVIRT_DEFAULT_URI", "nosuchscheme:///x")
	t.Setenv("VIRSH_DEFAULT_CONNECT_URI", "test:///default")
	if r := run(t, "", "uri"); r.stdout != "test:///default\n\n" {
		t.Errorf("VIRSH_DEFAULT_CONNECT_URI should win over LIBVIRT_DEFAULT_URI: %q %q", r.stdout, r.stderr)
	}
	t.Setenv("VIRSH_DEFAULT_CONNECT_URI", "nosuchscheme:///y")
	if r := run(t, "", "-c", "test:///default", "uri"); r.stdout != "test:///default\n\n" {
		t.Errorf("-c should win over the environment: %q %q", r.stdout, r.stderr)
	}
	t.Setenv("VIRSH_DEFAULT_CONNECT_URI", "")
	t.Setenv("LIBVIRT_DEFAULT_URI", "test:///default")
	if r := run(t, "", "uri"); r.stdout != "test:///default\n\n" {
		t.Errorf("LIBVIRT_DEFAULT_URI: %q %q", r.stdout, r.stderr)
	}
}

// TestConcurrentMain runs read-only commands from many goroutines at once:
// Main keeps no state outside its session.
func TestConcurrentMain(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				var out, errb bytes.Buffer
				rc := Main([]string{"-q", "-c", "test:///default", "domstate test; net-list --name; echo x"}, strings.NewReader(""), &out, &errb)
				if want := "running\ndefault\nx"; rc != 0 || out.String() != want {
					errs <- fmt.Sprintf("rc %d out %q err %q", rc, out.String(), errb.String())
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestHelpLayout checks the help command's structure against every
// command in the table: NAME, SYNOPSIS, and OPTIONS listing every visible
// option.
func TestHelpLayout(t *testing.T) {
	for _, g := range commands().groups {
		for _, c := range g.cmds {
			h := commandHelp(c)
			if !strings.HasPrefix(h, "  NAME\n    "+c.name+" - "+c.help+"\n\n  SYNOPSIS\n    "+c.name) {
				t.Errorf("%s: help starts %q", c.name, h[:min(len(h), 80)])
			}
			for _, o := range c.opts {
				if o.hidden || o.kind == optAlias {
					continue
				}
				if !strings.Contains(h, "--"+o.name) && !strings.Contains(h, "<"+o.name+">") {
					t.Errorf("%s: help does not mention option %s", c.name, o.name)
				}
			}
		}
	}
}

// TestConformanceCorpus runs libvirt's recorded virsh cases through the
// conformance runner, in-process, as cmd/conformance does.
func TestConformanceCorpus(t *testing.T) {
	corpus := filepath.Join("..", "..", "..", "shared", "conformance", "libvirt-9.0.0")
	if _, err := os.Stat(filepath.Join(corpus, "virsh")); err != nil {
		t.Fatalf("corpus not found: %v", err)
	}
	folders, err := conformance.Run(context.Background(), corpus, []string{"virsh"}, Main)
	if err != nil {
		t.Fatal(err)
	}
	f := folders[0]
	for _, c := range f.Cases {
		if !c.Agree {
			t.Errorf("virsh/%s: %s", c.Name, c.Reason)
		}
	}
	t.Logf("virsh: %d/%d agree", f.Agreed(), len(f.Cases))
}

// TestEventReceives waits for a lifecycle event while another session on
// the same node pauses and resumes the domain.
func TestEventReceives(t *testing.T) {
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		rc := Main([]string{"-c", "test:///default", "event --domain test --event lifecycle --timeout 5 --timestamp"},
			strings.NewReader(""), &out, &errb)
		done <- result{out.String(), errb.String(), rc}
	}()
	var r result
	for i := 0; ; i++ {
		// Keep a connection open so that both sessions share the node, and
		// act until the listener has seen something.
		run(t, "", "-q", "-c", "test:///default", "suspend test; resume test")
		select {
		case r = <-done:
		case <-time.After(20 * time.Millisecond):
			if i < 200 {
				continue
			}
			t.Fatal("no event received")
		}
		break
	}
	// One event, the count, and the blank line that ends every command.
	lines := strings.Split(r.stdout, "\n")
	if r.rc != 0 || len(lines) != 4 || lines[2] != "" || lines[3] != "" {
		t.Fatalf("rc %d stdout %q stderr %q", r.rc, r.stdout, r.stderr)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: event 'lifecycle' for domain 'test': (Suspended Paused|Resumed Unpaused)$`).MatchString(lines[0]) {
		t.Errorf("event line %q", lines[0])
	}
	if lines[1] != "events received: 1" {
		t.Errorf("count line %q", lines[1])
	}
}
