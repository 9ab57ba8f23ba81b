package virtxml

import (
	"os"
	"testing"
)

// The golden file is conn.getCapabilities() of the real libvirt 9.0 on
// test:///default.
const testCapsGolden = "testdata/golden/capabilities-test-default.xml"

func TestTestDriverCapabilities(t *testing.T) {
	want, err := os.ReadFile(testCapsGolden)
	if err != nil {
		t.Fatal(err)
	}
	got, err := TestDriverCapabilities().Format()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCapabilitiesRoundTrip(t *testing.T) {
	doc := `<capabilities>

  <host>
    <uuid>11111111-2222-3333-4444-555555555555</uuid>
    <cpu>
      <arch>x86_64</arch>
      <model>Skylake-Client-IBRS</model>
      <vendor>Intel</vendor>
      <microcode version='240'/>
      <signature family='6' model='158' stepping='10'/>
      <counter name='tsc' frequency='3192000000' scaling='no'/>
      <topology sockets='1' dies='1' cores='6' threads='2'/>
      <maxphysaddr mode='emulate' bits='39'/>
      <feature name='ds'/>
      <feature name='acpi'/>
      <pages unit='KiB' size='4'/>
      <pages unit='KiB' size='2048'/>
    </cpu>
    <power_management>
      <suspend_mem/>
      <suspend_disk/>
    </power_management>
    <iommu support='yes'/>
    <migration_features>
      <live/>
      <uri_transports>
        <uri_transport>tcp</uri_transport>
        <uri_transport>rdma</uri_transport>
      </uri_transports>
    </migration_features>
    <topology>
      <cells num='1'>
        <cell id='0'>
          <memory unit='KiB'>16000000</memory>
          <pages unit='KiB' size='4'>4000000</pages>
          <distances>
            <sibling id='0' value='10'/>
          </distances>
          <cpus num='2'>
            <cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0,6'/>
            <cpu id='6' socket_id='0' die_id='0' core_id='0' siblings='0,6'/>
          </cpus>
        </cell>
      </cells>
    </topology>
    <cache>
      <bank id='0' level='3' type='both' size='12' unit='MiB' cpus='0-11'>
        <control granularity='768' unit='KiB' type='both' maxAllocs='16'/>
      </bank>
      <monitor level='3' reuseThreshold='270336' maxMonitors='176'>
        <feature name='llc_occupancy'/>
      </monitor>
    </cache>
    <memory_bandwidth>
      <node id='0' cpus='0-11'>
        <control granularity='10' min='10' maxAllocs='8'/>
      </node>
    </memory_bandwidth>
    <secmodel>
      <model>apparmor</model>
      <doi>0</doi>
    </secmodel>
    <secmodel>
      <model>dac</model>
      <doi>0</doi>
      <baselabel type='kvm'>+64055:+108</baselabel>
      <baselabel type='qemu'>+64055:+108</baselabel>
    </secmodel>
  </host>

  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'>
      <wordsize>64</wordsize>
      <emulator>/usr/bin/qemu-system-x86_64</emulator>
      <machine maxCpus='255'>pc-i440fx-7.2</machine>
      <machine canonical='pc-i440fx-7.2' maxCpus='255'>pc</machine>
      <machine maxCpus='255' deprecated='yes'>pc-i440fx-1.4</machine>
      <domain type='qemu'/>
      <domain type='kvm'>
        <emulator>/usr/bin/kvm</emulator>
        <machine maxCpus='288'>pc-q35-7.2</machine>
      </domain>
    </arch>
    <features>
      <acpi default='on' toggle='yes'/>
      <apic default='on' toggle='no'/>
      <cpuselection/>
      <deviceboot/>
      <disksnapshot default='on' toggle='no'/>
    </features>
  </guest>

</capabilities>
`
	c, err := ParseCapabilities([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Format()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != doc {
		t.Errorf("got\n%s\nwant\n%s", got, doc)
	}
	if c.Host.CPU.Arch != "x86_64" || len(c.Guests) != 1 || c.Guests[0].Arch.Machines[1].Canonical != "pc-i440fx-7.2" {
		t.Errorf("parsed values: got %+v", c.Host.CPU)
	}
}

func TestParseTestDriverCapabilities(t *testing.T) {
	want, err := os.ReadFile(testCapsGolden)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCapabilities(want)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c.Format()
	if string(got) != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCapabilitiesClone(t *testing.T) {
	c := TestDriverCapabilities()
	d := c.Clone()
	d.Guests[0].Arch.Name = "x86_64"
	if c.Guests[0].Arch.Name != "i686" {
		t.Errorf("clone shares guests: got %s, want i686", c.Guests[0].Arch.Name)
	}
	a, _ := c.Format()
	b, _ := c.Clone().Format()
	if string(a) != string(b) {
		t.Errorf("clone formats differently:\n%s\n%s", a, b)
	}
}
