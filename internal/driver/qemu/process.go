package qemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/govirt/govirt/internal/qmp"
)

// process is a running QEMU supervised by the node.
type process struct {
	pid       int
	startTime uint64 // clock ticks after boot: tells a reused pid apart
	mon       *qmp.Monitor
	logOffset int64 // where this run's output starts in the log file

	// done is closed once the exit has been handled (state shut off).
	done chan struct{}

	// The fields below are guarded by the domain's mu.

	// destroying: the driver asked QEMU to die (destroy).
	destroying bool
	// saving: the guest was saved; its exit is reason "saved".
	saving bool
	// crashed: the guest panicked and on_crash destroys it.
	crashed bool
	// shutdown: QEMU reported SHUTDOWN; shutdownReason is its cause.
	shutdown       bool
	shutdownReason string
	// fakeReboot: a reboot was asked through ACPI: on SHUTDOWN the driver
	// resets the guest instead of stopping it.
	fakeReboot bool
	// expectStop and expectResume count STOP/RESUME events the driver
	// caused itself (they change no state when they arrive).
	expectStop, expectResume int
	// deleted has a channel per device id waiting for DEVICE_DELETED.
	deleted map[string]chan struct{}
	// ptys maps chardev aliases to their pseudo-terminals.
	ptys map[string]string
}

func newProcess(pid int, start uint64, mon *qmp.Monitor) *process {
	return &process{pid: pid, startTime: start, mon: mon, done: make(chan struct{}), deleted: map[string]chan struct{}{}, ptys: map[string]string{}}
}

// children tracks the QEMU processes this process started: they must be
// reaped, and their exit is known without polling.
var children = struct {
	sync.Mutex
	m map[int]chan struct{}
}{m: map[int]chan struct{}{}}

// reap waits for a child in the background; the returned channel closes
// when it has exited.
func reap(cmd *exec.Cmd) <-chan struct{} {
	ch := make(chan struct{})
	pid := cmd.Process.Pid
	children.Lock()
	children.m[pid] = ch
	children.Unlock()
	go func() {
		cmd.Wait()
		children.Lock()
		delete(children.m, pid)
		children.Unlock()
		close(ch)
	}()
	return ch
}

// procStat is what /proc/PID/stat says about a process.
type procStat struct {
	state        byte
	utime, stime uint64
	startTime    uint64
}

// readProcStat reads /proc/PID/stat.
func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, errors.New("malformed stat")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime is field 14, stime 15, starttime 22.
	if len(f) < 20 {
		return procStat{}, errors.New("short stat")
	}
	var st procStat
	st.state = f[0][0]
	st.utime, _ = strconv.ParseUint(f[11], 10, 64)
	st.stime, _ = strconv.ParseUint(f[12], 10, 64)
	st.startTime, _ = strconv.ParseUint(f[19], 10, 64)
	return st, nil
}

// clockTicks is sysconf(_SC_CLK_TCK) on Linux.
const clockTicks = 100

// processCPUTime is the CPU time a process used, in nanoseconds.
func processCPUTime(pid int) uint64 {
	st, err := readProcStat(pid)
	if err != nil {
		return 0
	}
	return (st.utime + st.stime) * (1e9 / clockTicks)
}

// alive reports whether pid is a live (not zombie) process started at
// startTime (0: any start time).
func alive(pid int, startTime uint64) bool {
	if pid <= 0 {
		return false
	}
	st, err := readProcStat(pid)
	if err != nil || st.state == 'Z' || st.state == 'X' {
		return false
	}
	return startTime == 0 || st.startTime == startTime
}

// cmdlineNames reports whether the command line of pid holds the argument
// "-uuid" followed by uuid: the guest is provably ours.
func cmdlineNames(pid int, uuid string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	return bytes.Contains(b, []byte("\x00-uuid\x00"+uuid+"\x00"))
}

// waitGone waits until the process is gone: a child is reaped, another
// process no longer exists (or is a zombie, or its pid was reused).
func waitGone(ctx context.Context, pid int, startTime uint64) error {
	children.Lock()
	ch := children.m[pid]
	children.Unlock()
	if ch != nil {
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	delay := 500 * time.Microsecond
	for alive(pid, startTime) {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
		if delay < 50*time.Millisecond {
			delay *= 2
		}
	}
	return nil
}

// signal sends sig to the process if it still is the one started at
// startTime.
func signal(pid int, startTime uint64, sig syscall.Signal) error {
	if !alive(pid, startTime) {
		return nil
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// kill ends a QEMU: SIGTERM, and SIGKILL after grace unless it has exited.
func kill(ctx context.Context, pid int, startTime uint64, grace time.Duration) error {
	if err := signal(pid, startTime, syscall.SIGTERM); err != nil {
		return err
	}
	gctx, cancel := context.WithTimeout(ctx, grace)
	err := waitGone(gctx, pid, startTime)
	cancel()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := signal(pid, startTime, syscall.SIGKILL); err != nil {
		return err
	}
	return waitGone(ctx, pid, startTime)
}

// spawned is a QEMU just started.
type spawned struct {
	pid       int
	startTime uint64
	logOffset int64
}

// spawn starts argv detached: in its own session (so that it outlives
// the driver and its terminal), stdin from /dev/null, output appended to
// logPath, the listening QMP socket as descriptor 3 and the extra files
// (tap devices) from descriptor 4 on.
func spawn(argv []string, logPath string, qmpListener *os.File, extra ...*os.File) (*spawned, error) {
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	defer logf.Close()
	var hdr strings.Builder
	hdr.WriteString(time.Now().UTC().Format("2006-01-02 15:04:05.000+0000"))
	hdr.WriteString(": starting up\nLC_ALL=C ")
	for i, a := range argv {
		if i > 0 {
			hdr.WriteByte(' ')
		}
		hdr.WriteString(shellQuote(a))
	}
	hdr.WriteByte('\n')
	if _, err := io.WriteString(logf, hdr.String()); err != nil {
		return nil, fmt.Errorf("write log: %w", err)
	}
	off, _ := logf.Seek(0, io.SeekEnd)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = []string{"LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "TMPDIR=/tmp"}
	cmd.Dir = "/"
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.ExtraFiles = append([]*os.File{qmpListener}, extra...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	reap(cmd)
	s := &spawned{pid: cmd.Process.Pid, logOffset: off}
	if st, err := readProcStat(s.pid); err == nil {
		s.startTime = st.startTime
	}
	return s, nil
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_=,./:+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// logTail returns the last lines QEMU wrote since offset, for errors.
func logTail(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(f, 64<<10))
	s := strings.TrimSpace(string(b))
	lines := strings.Split(s, "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	for i, l := range lines {
		// Drop QEMU's "-msg timestamp=on" prefix.
		if j := strings.Index(l, " qemu-system-"); j > 0 && strings.HasPrefix(l, "20") {
			lines[i] = l[j+1:]
		}
	}
	return strings.Join(lines, "\n")
}

const (
	sigterm = syscall.SIGTERM
	sigkill = syscall.SIGKILL
)
