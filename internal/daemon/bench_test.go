package daemon_test

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/govirt/govirt/internal/rpc/client"
	"github.com/govirt/govirt/internal/rpc/proto"
)

// BenchmarkGetState measures one DOMAIN_GET_STATE round trip over the
// unix socket: what virsh list pays per domain.
func BenchmarkGetState(b *testing.B) {
	d := startDaemon(b, nil)
	nc, err := net.Dial("unix", d.SocketPath(false))
	if err != nil {
		b.Fatal(err)
	}
	c := client.New(nc, client.Options{})
	defer c.Close()
	ctx := context.Background()
	name := "test:///default"
	if err := c.Call(ctx, proto.ProcConnectOpen, &proto.ConnectOpenArgs{Name: &name}, nil); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		x := fmt.Sprintf("<domain type='test'><name>b%d</name><memory>65536</memory><os><type>hvm</type></os></domain>", i)
		if err := c.Call(ctx, proto.ProcDomainDefineXML, &proto.NameArgs{Name: x}, &proto.DomainRet{}); err != nil {
			b.Fatal(err)
		}
	}
	var dom proto.DomainRet
	if err := c.Call(ctx, proto.ProcDomainLookupByName, &proto.NameArgs{Name: "b500"}, &dom); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var st proto.DomainGetStateRet
		if err := c.Call(ctx, proto.ProcDomainGetState, &proto.DomainFlagsArgs{Dom: dom.Dom}, &st); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefineUndefine measures what virsh's define and undefine
// commands send: DEFINE_XML, then LOOKUP_BY_NAME, IS_ACTIVE,
// HAS_MANAGED_SAVE_IMAGE, SNAPSHOT_NUM and UNDEFINE_FLAGS.
func BenchmarkDefineUndefine(b *testing.B) {
	d := startDaemon(b, nil)
	nc, err := net.Dial("unix", d.SocketPath(false))
	if err != nil {
		b.Fatal(err)
	}
	c := client.New(nc, client.Options{})
	defer c.Close()
	ctx := context.Background()
	name := "test:///default"
	if err := c.Call(ctx, proto.ProcConnectOpen, &proto.ConnectOpenArgs{Name: &name}, nil); err != nil {
		b.Fatal(err)
	}
	x := "<domain type='test'>\n  <name>bench</name>\n  <uuid>00000001-0000-4000-8000-000000000001</uuid>\n  <memory unit='KiB'>65536</memory>\n  <vcpu>1</vcpu>\n  <os>\n    <type arch='i686'>hvm</type>\n  </os>\n</domain>\n"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var dom proto.DomainRet
		if err := c.Call(ctx, proto.ProcDomainDefineXML, &proto.NameArgs{Name: x}, &dom); err != nil {
			b.Fatal(err)
		}
		if err := c.Call(ctx, proto.ProcDomainLookupByName, &proto.NameArgs{Name: "bench"}, &dom); err != nil {
			b.Fatal(err)
		}
		a := &proto.DomainFlagsArgs{Dom: dom.Dom}
		c.Call(ctx, proto.ProcDomainIsActive, &proto.DomainArgs{Dom: dom.Dom}, &proto.IntRet{})
		c.Call(ctx, proto.ProcDomainHasManagedSaveImage, a, &proto.IntRet{})
		c.Call(ctx, proto.ProcDomainSnapshotNum, a, &proto.IntRet{})
		if err := c.Call(ctx, proto.ProcDomainUndefineFlags, a, nil); err != nil {
			b.Fatal(err)
		}
	}
}
