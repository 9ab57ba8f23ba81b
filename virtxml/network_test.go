package virtxml

import (
	"strings"
	"testing"
)

func TestNetworkLiveFormat(t *testing.T) {
	n, err := ParseNetwork([]byte(`<network><name>br</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
<forward mode='bridge'><interface dev='eth0'/><interface dev='eth1'/></forward></network>`))
	if err != nil {
		t.Fatal(err)
	}
	n.Connections = 3
	n.Forward.Interfaces[1].Connections = 2
	live, _ := n.Format(0)
	inactive, _ := n.Format(NetworkFormatInactive)
	for _, want := range []string{"<network connections='3'>", "<interface dev='eth1' connections='2'/>"} {
		if !strings.Contains(string(live), want) {
			t.Errorf("live output lacks %q:\n%s", want, live)
		}
		if strings.Contains(string(inactive), want) {
			t.Errorf("inactive output has %q:\n%s", want, inactive)
		}
	}
	if n.Forward.Mode != "bridge" || n.Forward.Dev != "eth0" || len(n.Forward.Interfaces) != 2 {
		t.Errorf("forward: got %+v", n.Forward)
	}
}

func TestNetworkFromGoValues(t *testing.T) {
	u, _ := ParseUUID("dd8fe884-6c02-601e-7551-cca97df1c5df")
	n := &Network{
		Name:    "default",
		UUID:    u,
		Forward: &NetworkForward{Mode: "nat"},
		Bridge:  &NetworkBridge{Name: "virbr0"},
		IPs: []NetworkIP{{
			Address: "192.168.122.1",
			Netmask: "255.255.255.0",
			DHCP:    &NetworkDHCP{Ranges: []NetworkDHCPRange{{Start: "192.168.122.2", End: "192.168.122.254"}}},
		}},
	}
	got, err := n.Format(NetworkFormatInactive)
	if err != nil {
		t.Fatal(err)
	}
	want := `<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestStoragePoolFromGoValues(t *testing.T) {
	u, _ := ParseUUID("dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566")
	p := &StoragePool{Type: "dir", Name: "default-pool", UUID: u,
		Capacity: 107374182400, Available: 107374182400,
		Target: &StoragePoolTarget{Path: "/default-pool"}}
	got, _ := p.Format(0)
	want := `<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <capacity unit='bytes'>107374182400</capacity>
  <allocation unit='bytes'>0</allocation>
  <available unit='bytes'>107374182400</available>
  <source>
  </source>
  <target>
    <path>/default-pool</path>
  </target>
</pool>
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
