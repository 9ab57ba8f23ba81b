package qemu

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/govirt/govirt/internal/qmp"
)

// capsVersion changes whenever Caps or the probe changes: it invalidates
// cached probes.
const capsVersion = 3

// Caps is what one QEMU binary offers, as probed over QMP.
type Caps struct {
	// Format is capsVersion at the time of the probe.
	Format int `json:"format"`
	// Binary is the emulator's path; Identity its size, mtime and inode.
	Binary   string `json:"binary"`
	Identity string `json:"identity"`
	// Version is major*1e6+minor*1e3+micro; Package QEMU's package string.
	Version uint64 `json:"version"`
	Package string `json:"package"`
	// Arch is the guest architecture (x86_64, i686, ...).
	Arch     string    `json:"arch"`
	Machines []Machine `json:"machines"`
	// Devices lists the device types the binary has.
	Devices []string `json:"devices"`
	// CPUModels lists the CPU models it knows (query-cpu-definitions).
	CPUModels []string `json:"cpuModels"`
	// Accels lists the accelerators built in (tcg, kvm).
	Accels []string `json:"accels"`
	// Probed is when the probe ran.
	Probed time.Time `json:"probed"`

	devOnce sync.Once
	devices map[string]bool
}

// Machine is one machine type.
type Machine struct {
	Name       string `json:"name"`
	Alias      string `json:"alias,omitempty"`
	Default    bool   `json:"default,omitempty"`
	MaxCPUs    int    `json:"maxCpus"`
	Deprecated bool   `json:"deprecated,omitempty"`
}

// HasDevice reports whether the binary has device type name.
func (c *Caps) HasDevice(name string) bool {
	c.devOnce.Do(func() {
		c.devices = make(map[string]bool, len(c.Devices))
		for _, d := range c.Devices {
			c.devices[d] = true
		}
	})
	return c.devices[name]
}

// HasAccel reports whether accelerator name is built in.
func (c *Caps) HasAccel(name string) bool {
	for _, a := range c.Accels {
		if a == name {
			return true
		}
	}
	return false
}

// HasCPUModel reports whether the binary knows CPU model name.
func (c *Caps) HasCPUModel(name string) bool {
	for _, m := range c.CPUModels {
		if m == name {
			return true
		}
	}
	return false
}

// Machine returns the machine type name stands for (a name or an alias),
// or nil.
func (c *Caps) Machine(name string) *Machine {
	for i := range c.Machines {
		if c.Machines[i].Name == name {
			return &c.Machines[i]
		}
	}
	for i := range c.Machines {
		if c.Machines[i].Alias == name {
			return &c.Machines[i]
		}
	}
	return nil
}

// DefaultMachine returns the binary's default machine type, or nil.
func (c *Caps) DefaultMachine() *Machine {
	for i := range c.Machines {
		if c.Machines[i].Default {
			return &c.Machines[i]
		}
	}
	return nil
}

// binaryIdentity names a binary's current content cheaply: its resolved
// path, size, modification time and inode.
func binaryIdentity(path string) (resolved, id string, err error) {
	resolved, err = filepath.EvalSymlinks(path)
	if err != nil {
		return "", "", err
	}
	st, err := os.Stat(resolved)
	if err != nil {
		return "", "", err
	}
	ino := uint64(0)
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		ino = s.Ino
	}
	return resolved, fmt.Sprintf("%s:%d:%d:%d", resolved, st.Size(), st.ModTime().UnixNano(), ino), nil
}

func identityKey(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:12])
}

// capsCache probes binaries once: in memory for the process, on disk (under
// the cache folder) across processes, keyed by the binary's identity.
type capsCache struct {
	dir string

	mu      sync.Mutex
	entries map[string]*capsEntry // by identity
}

type capsEntry struct {
	once sync.Once
	caps *Caps
	err  error
}

func newCapsCache(dir string) *capsCache {
	return &capsCache{dir: dir, entries: map[string]*capsEntry{}}
}

// get returns the capabilities of the binary at path, probing it if no
// cached probe matches its identity.
func (cc *capsCache) get(ctx context.Context, path string) (*Caps, error) {
	resolved, id, err := binaryIdentity(path)
	if err != nil {
		return nil, fmt.Errorf("emulator %s: %w", path, err)
	}
	cc.mu.Lock()
	e := cc.entries[id]
	if e == nil {
		e = &capsEntry{}
		cc.entries[id] = e
	}
	cc.mu.Unlock()
	e.once.Do(func() {
		e.caps, e.err = cc.load(ctx, resolved, id)
	})
	if e.err != nil {
		// A failed probe is not cached: try again next time.
		cc.mu.Lock()
		if cc.entries[id] == e {
			delete(cc.entries, id)
		}
		cc.mu.Unlock()
	}
	return e.caps, e.err
}

func (cc *capsCache) file(id string) string {
	return filepath.Join(cc.dir, "caps-"+identityKey(id)+".json")
}

func (cc *capsCache) load(ctx context.Context, path, id string) (*Caps, error) {
	if cc.dir != "" {
		if b, err := os.ReadFile(cc.file(id)); err == nil {
			var c Caps
			if json.Unmarshal(b, &c) == nil && c.Format == capsVersion && c.Identity == id {
				return &c, nil
			}
		}
	}
	c, err := probeCaps(ctx, path)
	if err != nil {
		return nil, err
	}
	c.Identity = id
	if cc.dir != "" {
		if b, err := json.MarshalIndent(c, "", " "); err == nil {
			if err := os.MkdirAll(cc.dir, 0o755); err == nil {
				// The cache is an optimisation: a failed write is harmless.
				_ = writeFileAtomic(cc.file(id), b, 0o644)
			}
		}
	}
	return c, nil
}

// archOfBinary guesses the guest architecture from a binary's name.
func archOfBinary(path string) string {
	base := filepath.Base(path)
	if a, ok := strings.CutPrefix(base, "qemu-system-"); ok {
		if a == "i386" {
			return "i686"
		}
		return a
	}
	return "x86_64"
}

// probeCaps starts the binary without a machine and asks it over QMP.
func probeCaps(ctx context.Context, path string) (*Caps, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "govirt-probe-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "qmp")
	l, err := listenUnix(sock)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-S", "-machine", "none", "-nodefaults", "-no-user-config",
		"-display", "none", "-accel", "tcg",
		"-chardev", "socket,id=mon,fd=3,server=on,wait=off", "-mon", "chardev=mon,mode=control")
	cmd.ExtraFiles = []*os.File{l}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		l.Close()
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	l.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	conn, err := dialUnix(ctx, sock)
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	mon, err := qmp.New(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("probe %s: %w (%s)", path, err, strings.TrimSpace(stderr.String()))
	}
	defer mon.Close()
	v := mon.Version()
	c := &Caps{
		Format:  capsVersion,
		Binary:  path,
		Version: uint64(v.Major)*1000000 + uint64(v.Minor)*1000 + uint64(v.Micro),
		Package: strings.TrimSpace(v.Package),
		Arch:    archOfBinary(path),
		Probed:  time.Now().UTC(),
	}
	var machines []struct {
		Name       string `json:"name"`
		Alias      string `json:"alias"`
		IsDefault  bool   `json:"is-default"`
		CPUMax     int    `json:"cpu-max"`
		Deprecated bool   `json:"deprecated"`
	}
	if err := mon.Run(ctx, "query-machines", nil, &machines); err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	for _, m := range machines {
		if m.Name == "none" {
			continue
		}
		c.Machines = append(c.Machines, Machine{Name: m.Name, Alias: m.Alias, Default: m.IsDefault, MaxCPUs: m.CPUMax, Deprecated: m.Deprecated})
	}
	sort.Slice(c.Machines, func(i, j int) bool { return c.Machines[i].Name < c.Machines[j].Name })
	var types []struct {
		Name string `json:"name"`
	}
	args := map[string]any{"implements": "device", "abstract": false}
	if err := mon.Run(ctx, "qom-list-types", args, &types); err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	for _, t := range types {
		c.Devices = append(c.Devices, t.Name)
	}
	sort.Strings(c.Devices)
	var cpus []struct {
		Name string `json:"name"`
	}
	// Not every target implements query-cpu-definitions.
	if err := mon.Run(ctx, "query-cpu-definitions", nil, &cpus); err == nil {
		for _, m := range cpus {
			c.CPUModels = append(c.CPUModels, m.Name)
		}
		sort.Strings(c.CPUModels)
	}
	c.Accels = []string{"tcg"}
	var kvm struct {
		Present bool `json:"present"`
	}
	if err := mon.Run(ctx, "query-kvm", nil, &kvm); err == nil && kvm.Present {
		c.Accels = append(c.Accels, "kvm")
	}
	_ = mon.Run(ctx, "quit", nil, nil)
	return c, nil
}

// findEmulator returns the QEMU binary for arch: qemu-system-ARCH on PATH
// or in /usr/bin and /usr/libexec.
func findEmulator(arch string) (string, error) {
	name := "qemu-system-" + arch
	if arch == "i686" {
		name = "qemu-system-i386"
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/bin", "/usr/local/bin", "/usr/libexec"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("no %s binary found: %w", name, fs.ErrNotExist)
}

// errNoEmulator reports whether err means the binary is missing.
func errNoEmulator(err error) bool { return errors.Is(err, fs.ErrNotExist) }
