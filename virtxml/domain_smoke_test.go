package virtxml

import "testing"

func TestDomainSmoke(t *testing.T) {
	d, err := ParseDomain([]byte(`<domain type='test'><name>x</name><memory unit='KiB'>1024</memory><devices><disk type='file' device='disk'><source file='/a'/><target dev='vda' bus='virtio'/></disk><foo a='1'/></devices></domain>`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.Format(FormatInactive)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", out)
}
