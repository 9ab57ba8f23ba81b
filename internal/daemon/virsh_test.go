package daemon_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// virshCases are the commands of the core issue's list, run as one virsh
// connection each (test:///default is fresh again for every case on both
// sides). They use the files in testdata.
var virshCases = []string{
	"list",
	"list --all",
	"list --inactive",
	"list --name --all",
	"list --uuid",
	"list --table --all",
	"list --state-running",
	"list --state-shutoff --all",
	"list --persistent --all",
	"list --transient",
	"list --autostart --all",
	"list --no-autostart",
	"list --managed-save --all",
	"dominfo test",
	"dominfo 1",
	"dominfo 6695eb01-f6a4-8304-79aa-97f2502e193f",
	"dominfo nosuch",
	"domstate test",
	"domstate test --reason",
	"domuuid test",
	"domid test",
	"domname 1",
	"domname 6695eb01-f6a4-8304-79aa-97f2502e193f",
	"dumpxml test",
	"dumpxml test --inactive",
	"define dom1.xml; list --all; dominfo vm1; dumpxml vm1",
	"define dom1.xml; undefine vm1; list --all",
	"undefine test; list --all",
	"create dom1.xml; list --all; dominfo vm1",
	"define dom1.xml; start vm1; list --all; domstate vm1 --reason",
	"start test",
	"shutdown test; domstate test --reason; list --all",
	"destroy test; domstate test --reason; destroy test",
	"suspend test; domstate test --reason; resume test; domstate test --reason",
	"reboot test; domstate test",
	"reset test; domstate test",
	"setmem test 1048576; dominfo test",
	"setmem test 1048576 --config; dumpxml test --inactive",
	"setmaxmem test 4194304 --config; dumpxml test --inactive",
	"setmaxmem test 4194304",
	"setvcpus test 1; vcpucount test",
	"setvcpus test 1 --config; vcpucount test",
	"vcpucount test",
	"vcpucount test --maximum --config",
	"vcpuinfo test",
	"define dom1.xml; vcpuinfo vm1",
	"define dom1.xml; vcpupin vm1",
	"vcpupin test",
	"autostart test; dominfo test; list --autostart",
	"autostart --disable test; dominfo test",
	"domblklist test",
	"domblklist test --details",
	"domiflist test",
	"define dom1.xml; domblklist vm1; domiflist vm1",
	"schedinfo test",
	"schedinfo test --weight 100; schedinfo test",
	"nodeinfo",
	"capabilities",
	"version",
	"hostname",
	"net-list",
	"net-list --all",
	"net-info default",
	"net-dumpxml default",
	"net-define net1.xml; net-list --all; net-info net1; net-dumpxml net1",
	"net-define net1.xml; net-undefine net1; net-list --all",
	"net-define net1.xml; net-start net1; net-list --all",
	"net-destroy default; net-list --all; net-destroy default",
	"net-autostart default; net-info default; net-autostart --disable default; net-info default",
	"net-info nosuch",
	"pool-list",
	"pool-list --all --details",
	"pool-info default-pool",
	"pool-dumpxml default-pool",
	"pool-define pool1.xml; pool-list --all --details; pool-info pool1",
	"pool-define pool1.xml; pool-start pool1; pool-list --all",
	"pool-destroy default-pool; pool-list --all",
	"vol-list default-pool",
	"vol-list default-pool --details",
	"vol-create-as default-pool vol1 10M; vol-list default-pool; vol-dumpxml --pool default-pool vol1",
	"vol-create-as default-pool vol1 10M --format raw; vol-delete --pool default-pool vol1; vol-list default-pool",
	"iface-list --all",
	"domstate nosuch",
}

// volatile removes what the clock decides: CPU times.
var volatile = regexp.MustCompile(`(CPU time: +)[0-9.]+s`)

// TestVirshAgainstLibvirt runs every command with the real virsh twice:
// against libvirt's own test:///default (in the virsh process) and
// against govirtd's test driver over test+unix://, and requires the same
// output, errors and exit status.
func TestVirshAgainstLibvirt(t *testing.T) {
	needVirsh(t)
	d := startDaemon(t, nil)
	dir := t.TempDir()
	files, _ := filepath.Glob("testdata/*.xml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644)
	}
	uri := sockURI(d, "test", false)
	for _, c := range virshCases {
		t.Run(strings.ReplaceAll(c, "/", "_"), func(t *testing.T) {
			want := virsh(t, dir, "test:///default", c)
			got := virsh(t, dir, uri, c)
			norm := func(s string) string {
				s = volatile.ReplaceAllString(s, "${1}N")
				return strings.ReplaceAll(s, uri, "test:///default")
			}
			if norm(got.stdout) != norm(want.stdout) || norm(got.stderr) != norm(want.stderr) || got.code != want.code {
				t.Errorf("virsh %q\n--- govirtd (exit %d):\n%s%s--- libvirt (exit %d):\n%s%s", c, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
			}
		})
	}
}
