package qemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// node is the state of one state root: its domains, the guests it
// supervises and its event subscribers. One node exists per root in a
// process; the lock file keeps other processes out while it is open.
type node struct {
	drv   *Driver
	paths paths
	log   *slog.Logger
	refs  int // guarded by drv.mu

	lock *os.File
	caps *capsCache
	kvm  *kvmProber

	mu     sync.Mutex
	byName map[string]*domain
	byUUID map[virt.UUID]*domain
	nextID int32

	events driver.Broadcaster[virt.DomainEvent]

	// nets are the virtual networks (network.go).
	nets *netRegistry
	// pools are the storage pools (pool.go).
	pools *poolRegistry

	// ctx ends when the node closes: supervision stops, guests run on.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// openNode takes the root's lock, loads the persistent definitions and
// recovers the guests that run.
func openNode(ctx context.Context, drv *Driver, p paths) (*node, error) {
	if err := p.make(); err != nil {
		return nil, virt.Errorf(virt.ErrSystem, virt.FromQEMU, "%v", err)
	}
	lock, err := lockRoot(ctx, p.lockFile(), drv.opts.LockTimeout, drv.opts.Supervise)
	if err != nil {
		return nil, err
	}
	nctx, cancel := context.WithCancel(context.Background())
	n := &node{
		drv:    drv,
		paths:  p,
		log:    drv.opts.Logger.With("root", p.run),
		lock:   lock,
		caps:   newCapsCache(p.cache),
		kvm:    newKVMProber(p.cache),
		byName: map[string]*domain{},
		byUUID: map[virt.UUID]*domain{},
		nextID: 1,
		nets:   newNetRegistry(),
		pools:  newPoolRegistry(),
		ctx:    nctx,
		cancel: cancel,
	}
	n.loadDefinitions()
	n.recover(ctx)
	n.loadNetworks()
	n.recoverNetworks(ctx)
	n.loadPools(ctx)
	return n, nil
}

// lockRoot takes the exclusive lock of a state root, waiting for another
// process that holds it, unless that one is a daemon that supervises the
// root (it does not let go): then the error says to connect through it.
// The lock file holds the holder's pid, and "daemon" for a supervisor.
func lockRoot(ctx context.Context, path string, timeout time.Duration, daemon bool) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, virt.Errorf(virt.ErrSystem, virt.FromQEMU, "cannot open lock file: %v", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, virt.Errorf(virt.ErrSystem, virt.FromQEMU, "cannot lock %s: %v", path, err)
		}
		owner, _ := os.ReadFile(path)
		holder := strings.Fields(string(owner))
		if len(holder) == 2 && holder[1] == "daemon" {
			f.Close()
			return nil, virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU,
				"the guests of %s are managed by a daemon (pid %s): connect through it (qemu+unix:///...)", filepath.Dir(path), holder[0])
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			f.Close()
			return nil, virt.Errorf(virt.ErrOperationTimeout, virt.FromQEMU,
				"another process (pid %s) manages the guests of %s", strings.TrimSpace(string(owner)), filepath.Dir(path))
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.Truncate(0)
	who := strconv.Itoa(os.Getpid())
	if daemon {
		who += " daemon"
	}
	f.WriteAt([]byte(who+"\n"), 0)
	return f, nil
}

// close stops supervising: monitors are closed, guests keep running, and
// the lock is released.
func (n *node) close() {
	n.cancel()
	n.mu.Lock()
	var procs []*process
	for _, d := range n.byUUID {
		d.mu.Lock()
		if d.proc != nil {
			procs = append(procs, d.proc)
		}
		d.mu.Unlock()
	}
	n.mu.Unlock()
	for _, p := range procs {
		p.mon.Close()
	}
	n.wg.Wait()
	n.events.CloseAll()
	n.nets.events.CloseAll()
	n.pools.events.CloseAll()
	syscall.Flock(int(n.lock.Fd()), syscall.LOCK_UN)
	n.lock.Close()
}

// loadDefinitions reads the persistent definitions.
func (n *node) loadDefinitions() {
	files, _ := filepath.Glob(filepath.Join(n.paths.config, "*.xml"))
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			n.log.Warn("cannot read definition", "file", f, "err", err)
			continue
		}
		def, err := virtxml.ParseDomain(b)
		if err != nil {
			n.log.Warn("cannot parse definition", "file", f, "err", err)
			continue
		}
		if def.Name+".xml" != filepath.Base(f) {
			n.log.Warn("definition file name does not match the domain name", "file", f, "name", def.Name)
			continue
		}
		d := newDomain(n, def.Name, def.UUID)
		d.def = def
		d.autostart = exists(n.paths.autostartLink(def.Name))
		n.insert(d)
	}
}

// insert adds d to the maps. The caller makes sure no clash exists.
func (n *node) insert(d *domain) {
	n.mu.Lock()
	n.byName[d.name] = d
	n.byUUID[d.uuid] = d
	n.mu.Unlock()
}

// remove drops d from the maps.
func (n *node) remove(d *domain) {
	n.mu.Lock()
	if n.byUUID[d.uuid] == d {
		delete(n.byUUID, d.uuid)
	}
	if n.byName[d.name] == d {
		delete(n.byName, d.name)
	}
	n.mu.Unlock()
}

// allocID returns the next domain ID.
func (n *node) allocID() int32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	id := n.nextID
	n.nextID++
	return id
}

// seeID makes later IDs larger than id (for recovered guests).
func (n *node) seeID(id int32) {
	n.mu.Lock()
	if id >= n.nextID {
		n.nextID = id + 1
	}
	n.mu.Unlock()
}

func (n *node) domainByName(name string) *domain {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.byName[name]
}

func (n *node) domainByUUID(u virt.UUID) *domain {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.byUUID[u]
}

// all returns the domains sorted by name.
func (n *node) all() []*domain {
	n.mu.Lock()
	out := make([]*domain, 0, len(n.byName))
	for _, d := range n.byName {
		out = append(out, d)
	}
	n.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// emit publishes a lifecycle event.
func (n *node) emit(ref virt.DomainRef, typ virt.DomainEventType, detail int) {
	n.events.Publish(virt.DomainEvent{Domain: ref, Type: typ, Detail: int32(detail)})
}

// emulatorFor returns the QEMU binary a definition runs with.
func (n *node) emulatorFor(def *virtxml.Domain) (string, error) {
	if def.Devices != nil && def.Devices.Emulator != "" {
		return def.Devices.Emulator, nil
	}
	if n.drv.opts.Emulator != "" {
		return n.drv.opts.Emulator, nil
	}
	arch := hostArch()
	if def.OS != nil && def.OS.Type.Arch != "" {
		arch = def.OS.Type.Arch
	}
	p, err := findEmulator(arch)
	if err != nil {
		return "", unsupported("no QEMU emulator for architecture '%s': %v", arch, err)
	}
	return p, nil
}

// capsOf returns the capabilities of a QEMU binary.
func (n *node) capsOf(ctx context.Context, emulator string) (*Caps, error) {
	c, err := n.caps.get(ctx, emulator)
	if err != nil {
		if errNoEmulator(err) {
			return nil, unsupported("Cannot find QEMU binary %s: %v", emulator, err)
		}
		return nil, virt.Errorf(virt.ErrInternal, virt.FromQEMU, "cannot probe %s: %v", emulator, err)
	}
	return c, nil
}

// defaultCaps returns the capabilities of the host architecture's QEMU.
func (n *node) defaultCaps(ctx context.Context) (*Caps, error) {
	emu := n.drv.opts.Emulator
	if emu == "" {
		p, err := findEmulator(hostArch())
		if err != nil {
			return nil, virt.Errorf(virt.ErrInternal, virt.FromQEMU, "%v", err)
		}
		emu = p
	}
	return n.capsOf(ctx, emu)
}

// kvmError returns why a KVM domain cannot run, or nil.
func (n *node) kvmError(ctx context.Context, caps *Caps) error {
	st := n.kvm.status(ctx, caps)
	if st.Usable {
		return nil
	}
	return unsupported("KVM is not usable on this host: %s", st.Reason)
}

// parseDefinition parses XML and applies the driver's defaults.
func (n *node) parseDefinition(ctx context.Context, xml string) (*virtxml.Domain, *Caps, error) {
	def, err := virtxml.ParseDomain([]byte(xml))
	if err != nil {
		return nil, nil, virt.FromXMLError(err, virt.FromDomain)
	}
	if strings.Contains(def.Name, "\n") {
		return nil, nil, virt.Errorf(virt.ErrXML, virt.FromDomain, "name %s cannot contain '\\n'", def.Name)
	}
	if err := validateDomain(def); err != nil {
		return nil, nil, err
	}
	defaultArch([]byte(xml), def)
	emu, err := n.emulatorFor(def)
	if err != nil {
		return nil, nil, err
	}
	caps, err := n.capsOf(ctx, emu)
	if err != nil {
		return nil, nil, err
	}
	if def.Type == "kvm" {
		if err := n.kvmError(ctx, caps); err != nil {
			return nil, nil, err
		}
	}
	if err := postParse(def, caps); err != nil {
		return nil, nil, err
	}
	return def, caps, nil
}

// writeDefinition stores a persistent definition atomically.
func (n *node) writeDefinition(def *virtxml.Domain) error {
	b, err := def.Format(virtxml.FormatInactive | virtxml.FormatSecure | virtxml.FormatNamespaces)
	if err != nil {
		return virt.Errorf(virt.ErrInternal, virt.FromQEMU, "format domain '%s': %v", def.Name, err)
	}
	if err := writeFileAtomic(n.paths.defFile(def.Name), b, 0o600); err != nil {
		return virt.Errorf(virt.ErrSystem, virt.FromQEMU, "cannot save definition of domain '%s': %v", def.Name, err)
	}
	return nil
}

func sysErr(format string, args ...any) error {
	return virt.Errorf(virt.ErrSystem, virt.FromQEMU, "%s", fmt.Sprintf(format, args...))
}
