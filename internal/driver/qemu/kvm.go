package qemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// KVMStatus is the outcome of the KVM usability probe.
type KVMStatus struct {
	// Usable is true when a guest made progress under KVM.
	Usable bool `json:"usable"`
	// Reason says why KVM is unusable ("" when usable).
	Reason string `json:"reason,omitempty"`
	// Elapsed is how long the probe took.
	Elapsed time.Duration `json:"elapsed"`
	// Key is what the result was cached under.
	Key string `json:"key"`
}

// kvmProbeTimeout bounds the probe guest's run: under TCG it finishes in
// about 100 ms, under a working KVM in less.
const kvmProbeTimeout = 2 * time.Second

// kvmProbeCode is the probe guest: firmware that, from the reset vector,
// loads a GDT, enters protected mode, builds identity page tables, enters
// long mode and writes 1 to the isa-debug-exit port 0xf4, which makes QEMU
// exit with status 3. A guest that reaches the write proves the CPU runs
// guest code through every mode a kernel needs. Hand-assembled from:
//
//	.code16 (at 0xF0000)
//	  cli; lgdtl %cs:gdt_desc; cr0.PE=1; ljmpl $0x08,$pm32
//	.code32 pm32:
//	  ds=ss=0x10; PML4[0]=0x2003; PDPT[0]=0x3003; PD[0]=0x83 (2 MiB page)
//	  cr4.PAE=1; cr3=0x1000; EFER.LME=1; cr0.PG=1; ljmp $0x18,$lm64
//	.code64 lm64:
//	  mov $1,%al; out %al,$0xf4; 1: hlt; jmp 1b
//	gdt (at 0x98): null, code32, data32, code64; gdt_desc (at 0xb8)
var kvmProbeCode = []byte{
	0xfa, 0x2e, 0x66, 0x0f, 0x01, 0x16, 0xb8, 0x00, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0,
	0x66, 0xea, 0x18, 0x00, 0x0f, 0x00, 0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0x8e, 0xd0,
	0xc7, 0x05, 0x00, 0x10, 0x00, 0x00, 0x03, 0x20, 0x00, 0x00, 0xc7, 0x05, 0x04, 0x10, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xc7, 0x05, 0x00, 0x20, 0x00, 0x00, 0x03, 0x30, 0x00, 0x00, 0xc7, 0x05,
	0x04, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc7, 0x05, 0x00, 0x30, 0x00, 0x00, 0x83, 0x00,
	0x00, 0x00, 0xc7, 0x05, 0x04, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x20, 0xe0, 0x83,
	0xc8, 0x20, 0x0f, 0x22, 0xe0, 0xb8, 0x00, 0x10, 0x00, 0x00, 0x0f, 0x22, 0xd8, 0xb9, 0x80, 0x00,
	0x00, 0xc0, 0x0f, 0x32, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x30, 0x0f, 0x20, 0xc0, 0x0d, 0x00,
	0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0xea, 0x8d, 0x00, 0x0f, 0x00, 0x18, 0x00, 0xb0, 0x01, 0xe6,
	0xf4, 0xf4, 0xeb, 0xfd, 0x8d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00,
	0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xaf, 0x00, 0x1f, 0x00, 0x98, 0x00, 0x0f, 0x00,
}

// kvmProbeImage is the 64 KiB firmware image: the code at its start and,
// at the reset vector (offset 0xfff0), ljmp $0xf000,$0.
func kvmProbeImage() []byte {
	img := make([]byte, 64<<10)
	copy(img, kvmProbeCode)
	copy(img[0xfff0:], []byte{0xea, 0x00, 0x00, 0x00, 0xf0})
	return img
}

// kvmProber runs the probe once per key and remembers the result in memory
// and under the cache folder.
type kvmProber struct {
	dir string

	mu      sync.Mutex
	results map[string]*kvmEntry
}

type kvmEntry struct {
	once sync.Once
	st   KVMStatus
}

func newKVMProber(dir string) *kvmProber {
	return &kvmProber{dir: dir, results: map[string]*kvmEntry{}}
}

// kvmKey ties a probe result to the binary, the boot and the device node,
// so that a reboot, a module reload or a new QEMU probes again.
func kvmKey(identity string) string {
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	dev := "nodev"
	var st syscall.Stat_t
	if syscall.Stat("/dev/kvm", &st) == nil {
		dev = fmt.Sprintf("%d:%d:%d", st.Rdev, st.Ino, st.Ctim.Nano())
	}
	return identityKey(identity + "|" + strings.TrimSpace(string(boot)) + "|" + dev)
}

// status returns whether KVM can run guests with the binary of caps.
func (kp *kvmProber) status(ctx context.Context, caps *Caps) KVMStatus {
	if !caps.HasAccel("kvm") {
		return KVMStatus{Reason: fmt.Sprintf("%s was built without KVM support", caps.Binary)}
	}
	if caps.Arch != "x86_64" && caps.Arch != "i686" {
		return KVMStatus{Reason: fmt.Sprintf("no KVM probe for architecture %s", caps.Arch)}
	}
	key := kvmKey(caps.Identity)
	kp.mu.Lock()
	e := kp.results[key]
	if e == nil {
		e = &kvmEntry{}
		kp.results[key] = e
	}
	kp.mu.Unlock()
	e.once.Do(func() {
		file := filepath.Join(kp.dir, "kvm-"+key+".json")
		if b, err := os.ReadFile(file); err == nil {
			var st KVMStatus
			if json.Unmarshal(b, &st) == nil && st.Key == key {
				e.st = st
				return
			}
		}
		e.st = probeKVM(ctx, caps.Binary)
		e.st.Key = key
		if ctx.Err() != nil {
			return // interrupted: not a finding worth keeping
		}
		if b, err := json.Marshal(e.st); err == nil && kp.dir != "" {
			_ = writeFileAtomic(file, b, 0o644)
		}
	})
	return e.st
}

// probeKVM boots the probe image under KVM and waits for it to exit.
func probeKVM(ctx context.Context, binary string) KVMStatus {
	start := time.Now()
	done := func(reason string) KVMStatus {
		return KVMStatus{Usable: reason == "", Reason: reason, Elapsed: time.Since(start)}
	}
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return done(fmt.Sprintf("cannot open /dev/kvm: %v", errors.Unwrap(err)))
	}
	f.Close()
	tmp, err := os.CreateTemp("", "govirt-kvm-probe-")
	if err != nil {
		return done(fmt.Sprintf("probe image: %v", err))
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(kvmProbeImage())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return done(fmt.Sprintf("probe image: %v", err))
	}
	pctx, cancel := context.WithTimeout(ctx, kvmProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(pctx, binary, "-machine", "pc", "-accel", "kvm",
		"-nodefaults", "-no-user-config", "-display", "none", "-m", "16",
		"-bios", tmp.Name(), "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case pctx.Err() == context.DeadlineExceeded:
		return done(fmt.Sprintf("/dev/kvm opens, but a probe guest made no progress under KVM within %v (it hangs entering protected mode); use domain type 'qemu'", kvmProbeTimeout))
	case ctx.Err() != nil:
		return done(fmt.Sprintf("KVM probe interrupted: %v", ctx.Err()))
	case errors.As(err, &ee) && ee.ExitCode() == 3:
		return done("")
	case err == nil:
		return done("the KVM probe guest exited without reaching its end")
	default:
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return done(fmt.Sprintf("QEMU cannot start a KVM guest: %v: %s", err, msg))
	}
}
