package native

import (
	"strings"
	"testing"

	"github.com/govirt/govirt/virtxml"
)

// hvmBase is an HVM guest as libvirt writes it; the round-trip cases add
// keys to it.
const hvmBase = `name = "rt"
uuid = "c7a5fdb2-cdaf-9455-926a-d65c16db1809"
maxmem = 579
memory = 394
vcpus = 1
pae = 1
acpi = 1
apic = 1
viridian = 0
rtc_timeoffset = 0
localtime = 0
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "restart"
device_model_override = "/usr/lib/xen/bin/qemu-system-i386"
builder = "hvm"
boot = "d"
`

// pvBase is a PV guest as libvirt writes it.
const pvBase = `name = "rt"
uuid = "45b60f51-88a9-47a8-a3b3-5e66d71b2283"
maxmem = 512
memory = 512
vcpus = 1
localtime = 0
on_poweroff = "preserve"
on_reboot = "restart"
on_crash = "preserve"
`

// TestXenRoundTrip converts configs written in libvirt's words to domain
// XML, reads the XML back as the Xen driver does, converts it back and
// expects the same keys and values.
func TestXenRoundTrip(t *testing.T) {
	cases := []struct {
		name  string
		xm    bool
		extra string
	}{
		{"serial udp", true, "parallel = \"none\"\nserial = \"udp:127.0.0.1:9987@127.0.0.1:9876\"\nkernel = \"/usr/lib/xen/boot/hvmloader\"\n"},
		{"serial telnet server", true, "parallel = \"none\"\nserial = \"telnet:127.0.0.1:9999,server,nowait\"\nkernel = \"/usr/lib/xen/boot/hvmloader\"\n"},
		{"serial null and file", true, "parallel = \"file:/tmp/par\"\nserial = \"null\"\nkernel = \"/usr/lib/xen/boot/hvmloader\"\n"},
		{"serial dev", true, "parallel = \"none\"\nserial = \"/dev/ttyS0\"\nkernel = \"/usr/lib/xen/boot/hvmloader\"\n"},
		{"usb mouse", true, "parallel = \"none\"\nserial = \"none\"\nkernel = \"/usr/lib/xen/boot/hvmloader\"\nusb = 1\nusbdevice = \"mouse\"\n"},
		{"blktap2", true, "parallel = \"none\"\nserial = \"none\"\nkernel = \"/l\"\ndisk = [ \"tap2:aio:/var/lib/xen/images/a.img,hda,w\", \"tap:qcow:/b.qcow,hdb,!\" ]\n"},
		{"multi usb", false, "parallel = \"none\"\nserial = \"none\"\nusb = 1\nusbdevice = [ \"mouse\", \"tablet\" ]\n"},
		{"sparse serials", false, "parallel = \"none\"\nserial = [ \"pty\", \"none\", \"file:/tmp/s2\" ]\n"},
		{"vif rate and trunk", false, "parallel = \"none\"\nserial = \"none\"\nvif = [ \"mac=00:16:3e:66:92:9c,bridge=ovsbr0:42:43,script=vif-openvswitch,model=e1000,rate=512KB/s\" ]\n"},
		{"pci permissive", false, "parallel = \"none\"\nserial = \"none\"\npci = [ \"0000:01:13.0,permissive=1\", \"0000:02:00.1,permissive=0\", \"0001:0c:1b.2\" ]\n"},
		{"tsc and hpet", false, "tsc_mode = \"always_emulate\"\nhpet = 0\nparallel = \"none\"\nserial = \"none\"\n"},
		{"vnc display", false, "sdl = 0\nvnc = 1\nvncunused = 0\nvncdisplay = 6\nvnclisten = \"0.0.0.0\"\nkeymap = \"de\"\nparallel = \"none\"\nserial = \"none\"\n"},
		{"sdl", false, "sdl = 1\nvnc = 0\ndisplay = \":0\"\nxauthority = \"/root/.Xauthority\"\nparallel = \"none\"\nserial = \"none\"\n"},
		{"sound all", false, "parallel = \"none\"\nserial = \"none\"\nsoundhw = \"sb16,es1370\"\n"},
		{"localtime offset", false, "parallel = \"none\"\nserial = \"none\"\n"},
		{"cpus and maxvcpus", false, "maxvcpus = 4\ncpus = \"0-1,3\"\nparallel = \"none\"\nserial = \"none\"\n"},
		{"qed and qcow disks", false, "parallel = \"none\"\nserial = \"none\"\ndisk = [ \"format=qed,vdev=hda,access=rw,backendtype=qdisk,target=/a.qed\", \"format=qcow,vdev=sdb,access=ro,backendtype=tap,target=/b\" ]\n"},
		{"channel pty", false, "parallel = \"none\"\nserial = \"none\"\nchannel = [ \"connection=pty,name=org.libvirt.channel.1\" ]\n"},
		{"event channels", false, "parallel = \"none\"\nserial = \"none\"\nmax_event_channels = 2047\nmax_grant_frames = 40\n"},
	}
	for _, c := range cases {
		in := hvmBase + c.extra
		if c.name == "localtime offset" {
			in = strings.Replace(strings.Replace(in, "rtc_timeoffset = 0", "rtc_timeoffset = 3600", 1), "localtime = 0", "localtime = 1", 1)
		}
		roundTrip(t, c.name, in, c.xm)
	}
	pv := []struct {
		name  string
		xm    bool
		extra string
	}{
		{"pv vfb", true, "vfb = [ \"type=vnc,vncunused=1,vnclisten=127.0.0.1,vncpasswd=123poi\" ]\nbootloader = \"/usr/bin/pygrub\"\n"},
		{"pv vfb display", true, "vfb = [ \"type=vnc,vncunused=0,vncdisplay=6,keymap=fr\" ]\nkernel = \"/k\"\nramdisk = \"/i\"\nextra = \"console=hvc0\"\n"},
		{"pv sdl", true, "vfb = [ \"type=sdl,display=:1\" ]\nbootloader = \"/usr/bin/pygrub\"\nbootargs = \"-q\"\n"},
		{"pv netfront xm", true, "vif = [ \"mac=00:16:3e:66:94:9c,bridge=br0,script=vif-bridge,model=netfront,vifname=net0\" ]\n"},
		{"pv e820", false, "e820_host = 1\npassthrough = \"sync_pt\"\nkernel = \"/k\"\ncmdline = \"root=/dev/xvda1\"\n"},
		{"pvh", false, "type = \"pvh\"\nkernel = \"/k\"\n"},
		{"pv usbctrl", false, "usbctrl = [ \"type=qusb,version=1,ports=4\", \"type=qusb,version=2,ports=f\" ]\nusbdev = [ \"hostbus=1,hostaddr=a\" ]\n"},
	}
	for _, c := range pv {
		roundTrip(t, c.name, pvBase+c.extra, c.xm)
	}
}

func roundTrip(t *testing.T, name, in string, xm bool) {
	t.Helper()
	want, err := ParseConfig([]byte(in))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var r *Result
	if xm {
		r, err = XMToDomain(want)
	} else {
		r, err = XLToDomain(want)
	}
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if len(r.Unknown) > 0 || len(r.Legacy) > 0 {
		t.Errorf("%s: unknown %v legacy %v", name, r.Unknown, r.Legacy)
	}
	xml, err := FormatDomain(r.Domain, virtxml.FormatSecure)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	d, err := ParseXenDomainXML(xml)
	if err != nil {
		t.Errorf("%s: XML does not read back: %v\n%s", name, err, xml)
		return
	}
	var got *Config
	if xm {
		got, err = FormatXM(d, FormatOptions{})
	} else {
		got, err = FormatXL(d, FormatOptions{})
	}
	if err != nil {
		t.Errorf("%s: %v\n%s", name, err, xml)
		return
	}
	if diff := Diff(got, want); len(diff) > 0 {
		t.Errorf("%s: %v\n%s", name, diff, xml)
	}
}
