package server_test

import (
	"context"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// traceNode is a fake driver holding the node the traces were recorded
// against (libvirtd's qemu driver with lvptest running as id 9 and lvpidle
// defined). Values that came from the recording host (XML documents,
// capabilities, CPU time) are set by each test from the recording.
type traceNode struct {
	mu      sync.Mutex
	doms    map[string]*fakeDom
	nextID  int32
	cpuTime uint64
	liveXML string
	caps    string
	// fallback makes LIST_ALL_DOMAINS with both filters and GET_STATE fail
	// with NO_SUPPORT, as the recording proxy of the fallback trace did.
	fallback bool
	events   driver.Broadcaster[virt.DomainEvent]
	console  *pipeStream
}

type fakeDom struct {
	ref    virt.DomainRef
	state  virt.DomainState
	reason int
}

func mustUUID(s string) virt.UUID {
	u, err := virtxml.ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

func newTraceNode() *traceNode {
	n := &traceNode{doms: map[string]*fakeDom{}, nextID: 10}
	n.doms["lvptest"] = &fakeDom{ref: virt.DomainRef{Name: "lvptest", UUID: mustUUID("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"), ID: 9}, state: virt.DomainRunning, reason: virt.RunningBooted}
	n.doms["lvpidle"] = &fakeDom{ref: virt.DomainRef{Name: "lvpidle", UUID: mustUUID("8e2d3c4b-5a69-4b70-9c81-d2e3f4a5b6c7"), ID: -1}, state: virt.DomainShutoff}
	return n
}

func (n *traceNode) Close() error                                        { return nil }
func (n *traceNode) URI() string                                         { return "qemu:///system" }
func (n *traceNode) Type() string                                        { return "QEMU" }
func (n *traceNode) Version(ctx context.Context) (uint64, error)         { return 7002022, nil }
func (n *traceNode) Hostname(ctx context.Context) (string, error)        { return "vm", nil }
func (n *traceNode) NodeInfo(ctx context.Context) (virt.NodeInfo, error) { return virt.NodeInfo{}, nil }
func (n *traceNode) Capabilities(ctx context.Context) (string, error)    { return n.caps, nil }

func (n *traceNode) byUUID(u virt.UUID) (*fakeDom, error) {
	for _, d := range n.doms {
		if d.ref.UUID == u {
			return d, nil
		}
	}
	return nil, virt.Errorf(virt.ErrNoDomain, virt.FromQEMU, "no domain with matching uuid '%s'", u)
}

func (n *traceNode) LookupDomainByName(ctx context.Context, name string) (virt.DomainRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if d := n.doms[name]; d != nil {
		return d.ref, nil
	}
	return virt.DomainRef{}, virt.Errorf(virt.ErrNoDomain, virt.FromQEMU, "no domain with matching name '%s'", name)
}

func (n *traceNode) LookupDomainByUUID(ctx context.Context, u virt.UUID) (virt.DomainRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	d, err := n.byUUID(u)
	if err != nil {
		return virt.DomainRef{}, err
	}
	return d.ref, nil
}

func (n *traceNode) LookupDomainByID(ctx context.Context, id int32) (virt.DomainRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, d := range n.doms {
		if d.ref.ID == id {
			return d.ref, nil
		}
	}
	return virt.DomainRef{}, virt.Errorf(virt.ErrNoDomain, virt.FromQEMU, "no domain with matching id %d", id)
}

func (n *traceNode) ListDomains(ctx context.Context, flags virt.ListDomainsFlags) ([]virt.DomainRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	both := virt.ListDomainsActive | virt.ListDomainsInactive
	if n.fallback && flags&both == both {
		return nil, virt.Errorf(virt.ErrNoSupport, virt.FromRemote, "proc 273")
	}
	var out []virt.DomainRef
	// Running domains first, as libvirtd lists them.
	for _, d := range n.sorted() {
		active := d.ref.ID > 0
		if flags&both == 0 || (active && flags&virt.ListDomainsActive != 0) || (!active && flags&virt.ListDomainsInactive != 0) {
			out = append(out, d.ref)
		}
	}
	return out, nil
}

func (n *traceNode) sorted() []*fakeDom {
	var ds []*fakeDom
	for _, d := range n.doms {
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool {
		if (ds[i].ref.ID > 0) != (ds[j].ref.ID > 0) {
			return ds[i].ref.ID > 0
		}
		return ds[i].ref.Name > ds[j].ref.Name
	})
	return ds
}

var (
	nameRE = regexp.MustCompile(`<name>([^<]*)</name>`)
	uuidRE = regexp.MustCompile(`<uuid>([^<]*)</uuid>`)
)

func (n *traceNode) DefineDomain(ctx context.Context, xml string, flags virt.DefineFlags) (virt.DomainRef, error) {
	if strings.Contains(xml, "<vcpu>notanumber</vcpu>") {
		return virt.DomainRef{}, virt.Errorf(virt.ErrXML, virt.FromDomain, "maximum vcpus count must be an integer")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	name := nameRE.FindStringSubmatch(xml)[1]
	d := &fakeDom{ref: virt.DomainRef{Name: name, UUID: mustUUID(uuidRE.FindStringSubmatch(xml)[1]), ID: -1}, state: virt.DomainShutoff}
	n.doms[name] = d
	n.events.Publish(virt.DomainEvent{Domain: d.ref, Type: virt.EventDefined})
	return d.ref, nil
}

func (n *traceNode) UndefineDomain(ctx context.Context, r virt.DomainRef, flags virt.UndefineFlags) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	d, err := n.byUUID(r.UUID)
	if err != nil {
		return err
	}
	delete(n.doms, d.ref.Name)
	return nil
}

func (n *traceNode) DomainXML(ctx context.Context, r virt.DomainRef, flags virt.DomainXMLFlags) (string, error) {
	return n.liveXML, nil
}

func (n *traceNode) DomainInfo(ctx context.Context, r virt.DomainRef) (virt.DomainInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	d, err := n.byUUID(r.UUID)
	if err != nil {
		return virt.DomainInfo{}, err
	}
	in := virt.DomainInfo{State: d.state, MaxMem: 131072, Memory: 131072, NrVirtCPU: 1}
	if d.state == virt.DomainRunning {
		in.CPUTime = n.cpuTime
	}
	return in, nil
}

func (n *traceNode) DomainState(ctx context.Context, r virt.DomainRef) (virt.DomainState, int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fallback {
		return 0, 0, virt.Errorf(virt.ErrNoSupport, virt.FromRemote, "proc 212")
	}
	d, err := n.byUUID(r.UUID)
	if err != nil {
		return 0, 0, err
	}
	return d.state, d.reason, nil
}

func (n *traceNode) DomainFlags(ctx context.Context, r virt.DomainRef) (virt.DomainFlagSet, error) {
	return virt.DomainFlagSet{Persistent: true, OSType: "hvm"}, nil
}

func (n *traceNode) SetDomainAutostart(ctx context.Context, r virt.DomainRef, on bool) error {
	return nil
}

func (n *traceNode) CreateDomain(ctx context.Context, xml string, flags virt.CreateFlags) (virt.DomainRef, error) {
	return virt.DomainRef{}, virt.Errorf(virt.ErrNoSupport, virt.FromQEMU, "virDomainCreateXML")
}

func (n *traceNode) StartDomain(ctx context.Context, r virt.DomainRef, flags virt.CreateFlags) (virt.DomainRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	d, err := n.byUUID(r.UUID)
	if err != nil {
		return virt.DomainRef{}, err
	}
	d.ref.ID = n.nextID
	n.nextID++
	d.state, d.reason = virt.DomainRunning, virt.RunningBooted
	return d.ref, nil
}

func (n *traceNode) DestroyDomain(ctx context.Context, r virt.DomainRef, flags uint32) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	d, err := n.byUUID(r.UUID)
	if err != nil {
		return err
	}
	if d.ref.ID < 0 {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromDomain, "domain is not running")
	}
	d.ref.ID = -1
	d.state, d.reason = virt.DomainShutoff, virt.ShutoffDestroyed
	return nil
}

func (n *traceNode) ShutdownDomain(ctx context.Context, r virt.DomainRef, flags uint32) error {
	return nil
}
func (n *traceNode) RebootDomain(ctx context.Context, r virt.DomainRef, flags uint32) error {
	return nil
}
func (n *traceNode) ResetDomain(ctx context.Context, r virt.DomainRef) error   { return nil }
func (n *traceNode) SuspendDomain(ctx context.Context, r virt.DomainRef) error { return nil }
func (n *traceNode) ResumeDomain(ctx context.Context, r virt.DomainRef) error  { return nil }

func (n *traceNode) SecurityModel(ctx context.Context) (virt.SecurityModel, error) {
	return virt.SecurityModel{Model: "none", DOI: "0"}, nil
}

func (n *traceNode) DomainSecurityLabel(ctx context.Context, r virt.DomainRef) (virt.SecurityLabel, error) {
	return virt.SecurityLabel{}, nil
}

func (n *traceNode) DomainMessages(ctx context.Context, r virt.DomainRef, flags uint32) ([]string, error) {
	return []string{"tainted: running with undesirable elevated privileges"}, nil
}

func (n *traceNode) DomainSnapshotCount(ctx context.Context, r virt.DomainRef, flags uint32) (int, error) {
	return 0, nil
}

func (n *traceNode) DomainEvents(ctx context.Context) (<-chan virt.DomainEvent, error) {
	ch, _ := n.events.Subscribe(ctx, 0)
	return ch, nil
}

func (n *traceNode) OpenDomainConsole(ctx context.Context, r virt.DomainRef, dev string, flags uint32) (virt.Stream, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.console = newPipeStream()
	return n.console, nil
}

// pipeStream is a console whose guest side the test plays: Written holds
// what the client typed, and Read blocks until the stream is finished.
type pipeStream struct {
	mu      sync.Mutex
	written []byte
	done    chan struct{}
	once    sync.Once
	out     chan []byte
}

func newPipeStream() *pipeStream {
	return &pipeStream{done: make(chan struct{}), out: make(chan []byte, 16)}
}

func (p *pipeStream) Read(b []byte) (int, error) {
	select {
	case data := <-p.out:
		return copy(b, data), nil
	case <-p.done:
		return 0, io.EOF
	}
}

func (p *pipeStream) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.written = append(p.written, b...)
	return len(b), nil
}

func (p *pipeStream) Written() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return string(p.written)
}

func (p *pipeStream) Finish() error { p.once.Do(func() { close(p.done) }); return nil }
func (p *pipeStream) Abort() error  { p.once.Do(func() { close(p.done) }); return nil }
