package test

import (
	"context"
	"testing"

	"github.com/govirt/govirt/virt"
)

const minimalXML = "<domain type='test'><name>%s</name><memory>1024</memory><os><type>hvm</type></os></domain>"

// step is one call on the domain "test" of a fresh default node, with the
// state, reason and error message libvirt 9.0's test driver gives.
type step struct {
	what   string
	do     func(ctx context.Context, c *virt.Conn, d *virt.Domain) error
	err    string // "" for success
	state  virt.DomainState
	reason int
}

func runSteps(t *testing.T, steps []step) {
	t.Helper()
	ctx := context.Background()
	c := openDefault(t)
	d, err := c.LookupDomainByName(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		err := s.do(ctx, c, d)
		switch {
		case s.err == "" && err != nil:
			t.Fatalf("step %d %s: got %v, want success", i, s.what, err)
		case s.err != "" && (err == nil || err.Error() != s.err):
			t.Fatalf("step %d %s: got %v, want %q", i, s.what, err, s.err)
		}
		if s.state == 0 {
			continue
		}
		st, reason, err := d.State(ctx)
		if err != nil {
			t.Fatalf("step %d %s: state: %v", i, s.what, err)
		}
		if st != s.state || reason != s.reason {
			t.Fatalf("step %d %s: got state %v (%d), want %v (%d)", i, s.what, st, reason, s.state, s.reason)
		}
	}
}

var (
	suspend  = func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.Suspend(ctx) }
	resume   = func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.Resume(ctx) }
	shutdown = func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.Shutdown(ctx, 0) }
	destroy  = func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.Destroy(ctx, 0) }
	reboot   = func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.Reboot(ctx, 0) }
	reset    = func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.Reset(ctx) }
	start    = func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.Start(ctx, 0) }
	msave    = func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.ManagedSave(ctx, 0) }
)

func TestStateMachine(t *testing.T) {
	const (
		notRunning = "internal error: domain 'test' not running"
		notPaused  = "internal error: domain 'test' not paused"
		inactive   = "Requested operation is not valid: domain is not running"
	)
	runSteps(t, []step{
		{"suspend", suspend, "", virt.DomainPaused, virt.PausedUser},
		{"suspend paused", suspend, notRunning, virt.DomainPaused, virt.PausedUser},
		{"resume", resume, "", virt.DomainRunning, virt.RunningUnpaused},
		{"resume running", resume, notPaused, virt.DomainRunning, virt.RunningUnpaused},
		{"reboot", reboot, "", virt.DomainRunning, virt.RunningBooted},
		{"reset", reset, "", virt.DomainRunning, virt.RunningBooted},
		{"start running", start, "internal error: Domain 'test' is already running", virt.DomainRunning, virt.RunningBooted},
		{"shutdown", shutdown, "", virt.DomainShutoff, virt.ShutoffShutdown},
		{"shutdown off", shutdown, notRunning, virt.DomainShutoff, virt.ShutoffShutdown},
		{"destroy off", destroy, inactive, 0, 0},
		{"suspend off", suspend, notRunning, 0, 0},
		{"resume off", resume, notPaused, 0, 0},
		{"reboot off", reboot, inactive, 0, 0},
		{"reset off", reset, inactive, 0, 0},
		{"managedsave off", msave, inactive, 0, 0},
		{"start", start, "", virt.DomainRunning, virt.RunningBooted},
		{"suspend", suspend, "", virt.DomainPaused, virt.PausedUser},
		{"reboot paused", reboot, "", virt.DomainRunning, virt.RunningBooted},
		{"suspend", suspend, "", virt.DomainPaused, virt.PausedUser},
		{"destroy paused", destroy, "", virt.DomainShutoff, virt.ShutoffDestroyed},
		{"start", start, "", virt.DomainRunning, virt.RunningBooted},
		{"managedsave", msave, "", virt.DomainShutoff, virt.ShutoffSaved},
		{"undefine with image", func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.Undefine(ctx, 0) },
			"Requested operation is not valid: Refusing to undefine while domain managed save image exists", 0, 0},
		{"start from image", start, "", virt.DomainRunning, virt.RunningBooted},
		{"undefine running", func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { return d.Undefine(ctx, 0) }, "", virt.DomainRunning, virt.RunningBooted},
		{"destroy transient", destroy, "", 0, 0},
		{"gone", func(ctx context.Context, c *virt.Conn, d *virt.Domain) error { _, err := d.Info(ctx); return err },
			"Domain not found: no domain with matching uuid '6695eb01-f6a4-8304-79aa-97f2502e193f' (test)", 0, 0},
	})
}

func TestIDsIncrease(t *testing.T) {
	ctx := context.Background()
	c := openDefault(t)
	d, _ := c.LookupDomainByName(ctx, "test")
	for want := int32(2); want <= 4; want++ {
		if err := d.Destroy(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if err := d.Start(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if d.ID() != want {
			t.Fatalf("id after restart: got %d, want %d", d.ID(), want)
		}
	}
	x, err := c.CreateDomain(ctx, sprintf(minimalXML, "x"), 0)
	if err != nil || x.ID() != 5 {
		t.Fatalf("create: got id %d, %v; want 5", x.ID(), err)
	}
	if _, err := c.LookupDomainByID(ctx, 1); err == nil || err.Error() != "Domain not found" {
		t.Fatalf("lookup of a stale id: got %v, want Domain not found", err)
	}
}

func TestDefineClashes(t *testing.T) {
	ctx := context.Background()
	c := openDefault(t)
	tests := []struct {
		xml, err string
	}{
		{sprintf(minimalXML, "test"), "operation failed: domain 'test' already exists with uuid 6695eb01-f6a4-8304-79aa-97f2502e193f"},
		{"<domain type='test'><name>z</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid><memory>1024</memory><os><type>hvm</type></os></domain>",
			"operation failed: domain 'test' is already defined with uuid 6695eb01-f6a4-8304-79aa-97f2502e193f"},
	}
	for _, tc := range tests {
		_, err := c.DefineDomain(ctx, tc.xml, 0)
		if err == nil || err.Error() != tc.err {
			t.Errorf("define: got %v, want %q", err, tc.err)
		}
		if !errorsIs(err, virt.ErrOperationFailed) {
			t.Errorf("define: got code %v, want OPERATION_FAILED", virt.Code(err))
		}
	}
	_, err := c.CreateDomain(ctx, "<domain type='test'><name>test</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid><memory>1024</memory><os><type>hvm</type></os></domain>", 0)
	if want := "Requested operation is not valid: domain 'test' is already active"; err == nil || err.Error() != want {
		t.Errorf("create of running: got %v, want %q", err, want)
	}
}

func TestTuning(t *testing.T) {
	ctx := context.Background()
	c := openDefault(t)
	d, _ := c.LookupDomainByName(ctx, "test")
	checks := []struct {
		what string
		err  error
		want string
	}{
		{"setmem over max", d.SetMemory(ctx, 9000000, virt.AffectLive), "invalid argument: cannot set memory higher than max memory"},
		{"setmem live+config", d.SetMemory(ctx, 100, virt.AffectLive|virt.AffectConfig), "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"},
		{"setmaxmem running", d.SetMemory(ctx, 100, virt.MemMaximum), "Requested operation is not valid: cannot resize the maximum memory on an active domain"},
		{"setmem zero", d.SetMemory(ctx, 0, 0), "memory in virDomainSetMemoryFlags must not be zero"},
		{"setvcpus over max", d.SetVcpus(ctx, 3, virt.AffectLive), "invalid argument: requested cpu amount exceeds maximum (3 > 2)"},
		{"setvcpus zero", d.SetVcpus(ctx, 0, 0), "nvcpus in virDomainSetVcpusFlags must not be zero"},
		{"setvcpus 33", d.SetVcpus(ctx, 33, virt.AffectConfig), "invalid argument: requested cpu amount exceeds maximum supported amount (33 > 32)"},
		{"setvcpus max live", d.SetVcpus(ctx, 1, virt.VcpuMaximum|virt.AffectLive), "Flag 'VIR_DOMAIN_AFFECT_CONFIG' is required by flag 'VIR_DOMAIN_VCPU_MAXIMUM'"},
		{"setvcpus guest", d.SetVcpus(ctx, 1, virt.VcpuGuest), "unsupported flags (0x8) in function testDomainSetVcpusFlags"},
		{"setmem live", d.SetMemory(ctx, 524288, virt.AffectLive), ""},
		{"setvcpus live", d.SetVcpus(ctx, 1, virt.AffectLive), ""},
		{"setvcpus config max", d.SetVcpus(ctx, 4, virt.AffectConfig|virt.VcpuMaximum), ""},
		{"setvcpus config", d.SetVcpus(ctx, 3, virt.AffectConfig), ""},
		{"setvcpus config over", d.SetVcpus(ctx, 5, virt.AffectConfig), "invalid argument: requested cpu amount exceeds maximum (5 > 4)"},
	}
	for _, ck := range checks {
		got := ""
		if ck.err != nil {
			got = ck.err.Error()
		}
		if got != ck.want {
			t.Errorf("%s: got %q, want %q", ck.what, got, ck.want)
		}
	}
	counts := []struct {
		flags virt.ModifyFlags
		want  int32
	}{
		{virt.AffectLive, 1}, {virt.AffectConfig, 3}, {virt.AffectLive | virt.VcpuMaximum, 2}, {virt.AffectConfig | virt.VcpuMaximum, 4},
	}
	for _, ct := range counts {
		if got, err := d.VcpuCount(ctx, ct.flags); err != nil || got != ct.want {
			t.Errorf("vcpucount %#x: got %d, %v; want %d", ct.flags, got, err, ct.want)
		}
	}
	if info, _ := d.Info(ctx); info.Memory != 524288 || info.NrVirtCPU != 1 {
		t.Errorf("dominfo after tuning: got %+v", info)
	}
	// The live changes go when the domain stops; the config ones stay.
	d.Destroy(ctx, 0)
	if info, _ := d.Info(ctx); info.Memory != 2097152 || info.NrVirtCPU != 3 {
		t.Errorf("dominfo after destroy: got %+v, want memory 2097152, 3 vCPUs", info)
	}
	if err := d.SetMemory(ctx, 100000, virt.MemMaximum); err != nil {
		t.Fatal(err)
	}
	if info, _ := d.Info(ctx); info.MaxMem != 100000 || info.Memory != 100000 {
		t.Errorf("dominfo after setmaxmem: got %+v", info)
	}
	if _, err := d.Vcpus(ctx); err == nil || err.Error() != "Requested operation is not valid: cannot list vcpus for an inactive domain" {
		t.Errorf("vcpuinfo inactive: got %v", err)
	}
	if lbl, _ := d.SecurityLabel(ctx); lbl != (virt.SecurityLabel{}) {
		t.Errorf("label of inactive domain: got %+v", lbl)
	}
	if _, _, err := d.Scheduler(ctx, virt.AffectConfig); err == nil || err.Error() != "unsupported flags (0x2) in function testDomainGetSchedulerParametersFlags" {
		t.Errorf("schedinfo --config: got %v", err)
	}
}

func TestInterfaceNames(t *testing.T) {
	ctx := context.Background()
	c := openDefault(t)
	d, err := c.DefineDomain(ctx, `<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os><devices>
<interface type='network'><source network='default'/></interface>
<interface type='network'><source network='default'/><target dev='testnet0'/></interface>
<interface type='bridge'><source bridge='br0'/></interface>
<interface type='network'><source network='default'/><target dev='vnet3'/></interface>
</devices></domain>`, 0)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := d.XML(ctx, 0)
	want := []string{"testnet1", "testnet0", "testnet2", "testnet3"}
	pos := 0
	for _, w := range want {
		i := indexFrom(x, "<target dev='"+w+"'/>", pos)
		if i < 0 {
			t.Fatalf("interface names: want %v in order, got\n%s", want, x)
		}
		pos = i
	}
}
