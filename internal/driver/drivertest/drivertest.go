// Package drivertest is the conformance suite every govirt driver must
// pass: domain lifecycle and its state machine, lookups and their errors,
// lifecycle events, and read-only connections refusing side effects.
//
//	func TestConformance(t *testing.T) {
//		drivertest.Run(t, func(t *testing.T) *virt.Conn { ... })
//	}
package drivertest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govirt/govirt/virt"
)

// Config describes the driver under test.
type Config struct {
	// Open returns a fresh read-write connection; the suite closes it.
	Open func(t *testing.T) *virt.Conn
	// OpenReadOnly returns a read-only connection to the same kind of
	// node; nil skips the read-only checks.
	OpenReadOnly func(t *testing.T) *virt.Conn
	// DomainXML returns a minimal definition of a domain named name that
	// the driver can start. Nil uses a type='test' domain.
	DomainXML func(name string) string
}

// Run runs the suite with a type='test' domain definition.
func Run(t *testing.T, open func(t *testing.T) *virt.Conn) {
	RunConfig(t, Config{Open: open})
}

var seq atomic.Int64

// uniqueName returns a domain name no other test of the run uses.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e6, seq.Add(1))
}

func testDomainXML(name string) string {
	return "<domain type='test'><name>" + name + "</name><memory unit='KiB'>65536</memory>" +
		"<vcpu>1</vcpu><os><type>hvm</type></os></domain>"
}

// RunConfig runs the suite.
func RunConfig(t *testing.T, cfg Config) {
	if cfg.DomainXML == nil {
		cfg.DomainXML = testDomainXML
	}
	s := &suite{cfg: cfg}
	t.Run("Lifecycle", s.lifecycle)
	t.Run("Errors", s.errors)
	t.Run("Transient", s.transient)
	t.Run("Events", s.events)
	if cfg.OpenReadOnly != nil {
		t.Run("ReadOnly", s.readOnly)
	}
}

type suite struct{ cfg Config }

func (s *suite) open(t *testing.T) *virt.Conn {
	t.Helper()
	c := s.cfg.Open(t)
	t.Cleanup(func() { c.Close() })
	return c
}

func wantState(t *testing.T, d *virt.Domain, want virt.DomainState) {
	t.Helper()
	got, _, err := d.State(context.Background())
	if err != nil {
		t.Fatalf("state of %s: %v", d.Name(), err)
	}
	if got != want {
		t.Fatalf("state of %s: got %v, want %v", d.Name(), got, want)
	}
}

func wantCode(t *testing.T, what string, err error, want *virt.Error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %v", what, want.Code)
	}
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v (%v), want code %v", what, virt.Code(err), err, want.Code)
	}
}

func (s *suite) lifecycle(t *testing.T) {
	ctx := context.Background()
	c := s.open(t)
	name := uniqueName("dt-life")
	d, err := c.DefineDomain(ctx, s.cfg.DomainXML(name), 0)
	if err != nil {
		t.Fatalf("define: %v", err)
	}
	defer d.Undefine(ctx, virt.UndefineManagedSave)
	if d.Name() != name || d.ID() != -1 {
		t.Fatalf("defined handle: got %q id %d, want %q id -1", d.Name(), d.ID(), name)
	}
	wantState(t, d, virt.DomainShutoff)
	byUUID, err := c.LookupDomainByUUID(ctx, d.UUID())
	if err != nil || byUUID.Name() != name {
		t.Fatalf("lookup by uuid: got %v, %v; want %s", byUUID, err, name)
	}
	xml, err := d.XML(ctx, 0)
	if err != nil || !strings.Contains(xml, "<name>"+name+"</name>") {
		t.Fatalf("xml: got %q, %v", xml, err)
	}
	fl, err := d.Flags(ctx)
	if err != nil || !fl.Persistent {
		t.Fatalf("flags: got %+v, %v; want persistent", fl, err)
	}
	if err := d.Start(ctx, 0); err != nil {
		t.Fatalf("start: %v", err)
	}
	if d.ID() <= 0 {
		t.Fatalf("started handle id: got %d, want > 0", d.ID())
	}
	wantState(t, d, virt.DomainRunning)
	byID, err := c.LookupDomainByID(ctx, d.ID())
	if err != nil || byID.Name() != name {
		t.Fatalf("lookup by id %d: got %v, %v", d.ID(), byID, err)
	}
	active, err := c.ListAllDomains(ctx, virt.ListDomainsActive)
	if err != nil || !hasDomain(active, name) {
		t.Fatalf("active list lacks %s (%v)", name, err)
	}
	if err := d.Suspend(ctx); err != nil {
		t.Fatalf("suspend: %v", err)
	}
	wantState(t, d, virt.DomainPaused)
	if err := d.Resume(ctx); err != nil {
		t.Fatalf("resume: %v", err)
	}
	wantState(t, d, virt.DomainRunning)
	if err := d.Destroy(ctx, 0); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	wantState(t, d, virt.DomainShutoff)
	inactive, err := c.ListAllDomains(ctx, virt.ListDomainsInactive)
	if err != nil || !hasDomain(inactive, name) {
		t.Fatalf("inactive list lacks %s (%v)", name, err)
	}
	if err := d.Undefine(ctx, 0); err != nil {
		t.Fatalf("undefine: %v", err)
	}
	_, err = c.LookupDomainByName(ctx, name)
	wantCode(t, "lookup after undefine", err, virt.ErrNoDomain)
}

func hasDomain(ds []*virt.Domain, name string) bool {
	for _, d := range ds {
		if d.Name() == name {
			return true
		}
	}
	return false
}

func (s *suite) errors(t *testing.T) {
	ctx := context.Background()
	c := s.open(t)
	_, err := c.LookupDomainByName(ctx, uniqueName("dt-missing"))
	wantCode(t, "lookup missing", err, virt.ErrNoDomain)
	_, err = c.DefineDomain(ctx, "<domain", 0)
	if err == nil {
		t.Fatal("define of malformed XML: got no error")
	}
	name := uniqueName("dt-err")
	d, err := c.DefineDomain(ctx, s.cfg.DomainXML(name), 0)
	if err != nil {
		t.Fatalf("define: %v", err)
	}
	defer d.Undefine(ctx, virt.UndefineManagedSave)
	// Same name, another UUID.
	_, err = c.DefineDomain(ctx, strings.Replace(s.cfg.DomainXML(name), "<name>", "<uuid>00000000-1111-2222-3333-444444444444</uuid><name>", 1), 0)
	wantCode(t, "define name clash", err, virt.ErrOperationFailed)
	err = d.Destroy(ctx, 0)
	wantCode(t, "destroy inactive", err, virt.ErrOperationInvalid)
	if err := d.Start(ctx, 0); err != nil {
		t.Fatalf("start: %v", err)
	}
	if err := d.Start(ctx, 0); err == nil {
		t.Fatal("start of a running domain: got no error")
	}
	_, err = c.CreateDomain(ctx, s.cfg.DomainXML(name), 0)
	if err == nil {
		t.Fatal("create of a running domain's name: got no error")
	}
	if err := d.Destroy(ctx, 0); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if err := d.Undefine(ctx, 0); err != nil {
		t.Fatalf("undefine: %v", err)
	}
	_, err = d.Info(ctx)
	wantCode(t, "info of undefined domain", err, virt.ErrNoDomain)
}

func (s *suite) transient(t *testing.T) {
	ctx := context.Background()
	c := s.open(t)
	name := uniqueName("dt-tr")
	d, err := c.CreateDomain(ctx, s.cfg.DomainXML(name), 0)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	wantState(t, d, virt.DomainRunning)
	fl, err := d.Flags(ctx)
	if err != nil || fl.Persistent {
		t.Fatalf("flags: got %+v, %v; want transient", fl, err)
	}
	if err := d.Destroy(ctx, 0); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	_, err = c.LookupDomainByName(ctx, name)
	wantCode(t, "lookup of destroyed transient domain", err, virt.ErrNoDomain)
}

// nextEvent waits for the next event about name.
func nextEvent(t *testing.T, ch <-chan virt.DomainEvent, name string) virt.DomainEvent {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("event channel closed")
			}
			if ev.Domain.Name == name {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event for %s within 5s", name)
		}
	}
}

func (s *suite) events(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := s.open(t)
	ch, err := c.DomainEvents(ctx)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	name := uniqueName("dt-ev")
	d, err := c.DefineDomain(ctx, s.cfg.DomainXML(name), 0)
	if err != nil {
		t.Fatalf("define: %v", err)
	}
	steps := []struct {
		what   string
		do     func() error
		typ    virt.DomainEventType
		detail int32
	}{
		{"start", func() error { return d.Start(ctx, 0) }, virt.EventStarted, virt.DetailStartedBooted},
		{"suspend", func() error { return d.Suspend(ctx) }, virt.EventSuspended, virt.DetailSuspendedPaused},
		{"resume", func() error { return d.Resume(ctx) }, virt.EventResumed, virt.DetailResumedUnpaused},
		{"destroy", func() error { return d.Destroy(ctx, 0) }, virt.EventStopped, virt.DetailStoppedDestroyed},
		{"undefine", func() error { return d.Undefine(ctx, 0) }, virt.EventUndefined, virt.DetailUndefinedRemoved},
	}
	ev := nextEvent(t, ch, name)
	if ev.Type != virt.EventDefined || ev.Detail != virt.DetailDefinedAdded {
		t.Fatalf("define event: got %d/%d, want %d/%d", ev.Type, ev.Detail, virt.EventDefined, virt.DetailDefinedAdded)
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		ev := nextEvent(t, ch, name)
		if ev.Type != st.typ || ev.Detail != st.detail {
			t.Fatalf("%s event: got %d/%d, want %d/%d", st.what, ev.Type, ev.Detail, st.typ, st.detail)
		}
	}
	cancel()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("event channel not closed after the context ended")
		}
	}
}

// denied checks that err is libvirt's read-only refusal naming api.
func denied(t *testing.T, api string, err error) {
	t.Helper()
	want := "operation forbidden: read only access prevents " + api
	if err == nil || !errors.Is(err, virt.ErrOperationDenied) || err.Error() != want {
		t.Errorf("%s on a read-only connection: got %v, want %q", api, err, want)
	}
}

func (s *suite) readOnly(t *testing.T) {
	ctx := context.Background()
	rw := s.open(t)
	name := uniqueName("dt-ro")
	if _, err := rw.DefineDomain(ctx, s.cfg.DomainXML(name), 0); err != nil {
		t.Fatalf("define: %v", err)
	}
	defer func() {
		if d, err := rw.LookupDomainByName(ctx, name); err == nil {
			d.Destroy(ctx, 0)
			d.Undefine(ctx, virt.UndefineManagedSave)
		}
	}()
	ro := s.cfg.OpenReadOnly(t)
	defer ro.Close()
	if !ro.ReadOnly() {
		t.Fatal("read-only connection reports read-write")
	}
	d, err := ro.LookupDomainByName(ctx, name)
	if err != nil {
		t.Fatalf("lookup on read-only connection: %v", err)
	}
	if _, err := d.Info(ctx); err != nil {
		t.Fatalf("info on read-only connection: %v", err)
	}
	_, err = ro.DefineDomain(ctx, s.cfg.DomainXML(uniqueName("dt-ro2")), 0)
	denied(t, "virDomainDefineXML", err)
	_, err = ro.CreateDomain(ctx, s.cfg.DomainXML(uniqueName("dt-ro3")), 0)
	denied(t, "virDomainCreateXML", err)
	denied(t, "virDomainCreate", d.Start(ctx, 0))
	denied(t, "virDomainDestroy", d.Destroy(ctx, 0))
	denied(t, "virDomainShutdown", d.Shutdown(ctx, 0))
	denied(t, "virDomainReboot", d.Reboot(ctx, 0))
	denied(t, "virDomainReset", d.Reset(ctx))
	denied(t, "virDomainSuspend", d.Suspend(ctx))
	denied(t, "virDomainResume", d.Resume(ctx))
	denied(t, "virDomainUndefine", d.Undefine(ctx, 0))
	denied(t, "virDomainUndefineFlags", d.Undefine(ctx, virt.UndefineManagedSave))
	denied(t, "virDomainSetAutostart", d.SetAutostart(ctx, true))
	denied(t, "virDomainSetMemoryFlags", d.SetMemory(ctx, 1024, virt.AffectConfig))
	denied(t, "virDomainSetMaxMemory", d.SetMemory(ctx, 1024, virt.MemMaximum))
	denied(t, "virDomainSetVcpusFlags", d.SetVcpus(ctx, 1, virt.AffectConfig))
	_, err = d.XML(ctx, virt.XMLSecure)
	if want := "operation forbidden: virDomainGetXMLDesc with secure flag"; err == nil || err.Error() != want {
		t.Errorf("secure XML on a read-only connection: got %v, want %q", err, want)
	}
	if _, err := d.XML(ctx, 0); err != nil {
		t.Errorf("XML on a read-only connection: %v", err)
	}
	// Networks and pools, when the driver has them.
	if _, err := ro.ListAllNetworks(ctx, 0); err == nil {
		_, err = ro.DefineNetwork(ctx, "<network><name>"+uniqueName("dt-ro-net")+"</name></network>")
		denied(t, "virNetworkDefineXML", err)
		_, err = ro.CreateNetwork(ctx, "<network><name>"+uniqueName("dt-ro-net")+"</name></network>")
		denied(t, "virNetworkCreateXML", err)
	}
	if _, err := ro.ListAllStoragePools(ctx, 0); err == nil {
		_, err = ro.DefineStoragePool(ctx, "<pool type='dir'><name>dt-ro-pool</name><target><path>/dt-ro-pool</path></target></pool>")
		denied(t, "virStoragePoolDefineXML", err)
	}
}
