package qemu

import (
	"bufio"
	"context"
	"encoding/binary"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// This file implements virt.DomainMonitor: what a running guest is doing,
// read from QMP and /proc.

// DomainMemoryStats implements virt.DomainMonitor: the balloon's actual
// size, QEMU's resident memory and, when the balloon polls them (<stats
// period=.../>), the guest's own figures; in KiB.
func (c *conn) DomainMemoryStats(ctx context.Context, ref virt.DomainRef, flags uint32) ([]virt.MemoryStat, error) {
	d, err := c.lookup(ref)
	if err != nil {
		return nil, err
	}
	p, err := d.running()
	if err != nil {
		return nil, err
	}
	var out []virt.MemoryStat
	var bal struct {
		Actual uint64 `json:"actual"`
	}
	d.mu.Lock()
	alias := ""
	if mb := d.live.Devices.MemBalloon; mb != nil && mb.Model != "none" && mb.Alias != nil {
		alias = mb.Alias.Name
	}
	max := memTotal(d.live)
	d.mu.Unlock()
	if alias == "" {
		out = append(out, virt.MemoryStat{Tag: virt.MemStatActualBalloon, Val: max})
	} else {
		if err := qmpRun(ctx, p.mon, "query-balloon", nil, &bal); err != nil {
			return nil, qmpError("cannot read the balloon", err)
		}
		var gs struct {
			Stats map[string]int64 `json:"stats"`
			Last  int64            `json:"last-update"`
		}
		args := map[string]any{"path": "/machine/peripheral/" + alias, "property": "guest-stats"}
		if qmpRun(ctx, p.mon, "qom-get", args, &gs) == nil && gs.Last > 0 {
			for _, s := range []struct {
				key   string
				tag   int32
				bytes bool
			}{
				{"stat-swap-in", virt.MemStatSwapIn, false}, {"stat-swap-out", virt.MemStatSwapOut, false},
				{"stat-major-faults", virt.MemStatMajorFault, false}, {"stat-minor-faults", virt.MemStatMinorFault, false},
				{"stat-free-memory", virt.MemStatUnused, true}, {"stat-total-memory", virt.MemStatAvailable, true},
				{"stat-available-memory", virt.MemStatUsable, true}, {"stat-disk-caches", virt.MemStatDiskCaches, true},
				{"stat-htlb-pgalloc", virt.MemStatHugetlbPgalloc, false}, {"stat-htlb-pgfail", virt.MemStatHugetlbPgfail, false},
			} {
				v, ok := gs.Stats[s.key]
				if !ok || v < 0 {
					continue
				}
				if s.bytes {
					v /= 1024
				}
				out = append(out, virt.MemoryStat{Tag: s.tag, Val: uint64(v)})
			}
			out = append(out, virt.MemoryStat{Tag: virt.MemStatLastUpdate, Val: uint64(gs.Last)})
		}
		out = append(out, virt.MemoryStat{Tag: virt.MemStatActualBalloon, Val: bal.Actual / 1024})
	}
	if rss := processRSS(p.pid); rss > 0 {
		out = append(out, virt.MemoryStat{Tag: virt.MemStatRSS, Val: rss})
	}
	return out, nil
}

// processRSS is a process's resident set in KiB.
func processRSS(pid int) uint64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fs := strings.Fields(v)
			if len(fs) > 0 {
				n, _ := strconv.ParseUint(fs[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// findDisk returns the disk a virsh disk argument names: its target, its
// source path or its alias.
func findDisk(def *virtxml.Domain, dev string) *virtxml.Disk {
	for i := range def.Devices.Disks {
		dk := &def.Devices.Disks[i]
		if dk.Target != nil && dk.Target.Dev == dev {
			return dk
		}
		if dk.Source != nil && dev != "" && (dk.Source.File == dev || dk.Source.Dev == dev) {
			return dk
		}
		if dk.Alias != nil && dk.Alias.Name == dev {
			return dk
		}
	}
	return nil
}

func errNoDisk(dev string) error {
	return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "invalid path: %s", dev)
}

// DomainBlockStats implements virt.DomainMonitor.
func (c *conn) DomainBlockStats(ctx context.Context, ref virt.DomainRef, dev string) (virt.BlockStats, error) {
	d, err := c.lookup(ref)
	if err != nil {
		return virt.BlockStats{}, err
	}
	p, err := d.running()
	if err != nil {
		return virt.BlockStats{}, err
	}
	d.mu.Lock()
	alias := ""
	if dev != "" {
		if dk := findDisk(d.live, dev); dk != nil && dk.Alias != nil {
			alias = dk.Alias.Name
		}
	}
	d.mu.Unlock()
	if dev != "" && alias == "" {
		return virt.BlockStats{}, errNoDisk(dev)
	}
	var list []struct {
		QDev  string `json:"qdev"`
		Stats struct {
			RdOps   int64 `json:"rd_operations"`
			RdBytes int64 `json:"rd_bytes"`
			WrOps   int64 `json:"wr_operations"`
			WrBytes int64 `json:"wr_bytes"`
			RdFail  int64 `json:"failed_rd_operations"`
			WrFail  int64 `json:"failed_wr_operations"`
		} `json:"stats"`
	}
	if err := qmpRun(ctx, p.mon, "query-blockstats", nil, &list); err != nil {
		return virt.BlockStats{}, qmpError("cannot read block statistics", err)
	}
	var st virt.BlockStats
	for _, b := range list {
		if b.QDev == "" || alias != "" && !strings.Contains(b.QDev, "/"+alias+"/") && !strings.HasSuffix(b.QDev, "/"+alias) && b.QDev != alias {
			continue
		}
		st.RdReq += b.Stats.RdOps
		st.RdBytes += b.Stats.RdBytes
		st.WrReq += b.Stats.WrOps
		st.WrBytes += b.Stats.WrBytes
		st.Errs += b.Stats.RdFail + b.Stats.WrFail
	}
	return st, nil
}

// DomainInterfaceStats implements virt.DomainMonitor. The driver creates
// no tap devices to count on (user-mode networking has no host device).
func (c *conn) DomainInterfaceStats(ctx context.Context, ref virt.DomainRef, dev string) (virt.InterfaceStats, error) {
	if _, err := c.lookup(ref); err != nil {
		return virt.InterfaceStats{}, err
	}
	return virt.InterfaceStats{}, virt.Errorf(virt.ErrOperationUnsupported, virt.FromQEMU, "interface statistics need a host network device, which this driver's interfaces do not have")
}

// DomainBlockInfo implements virt.DomainMonitor: the disk's size for the
// guest (capacity), the space its image uses (allocation) and the image
// file's size (physical).
func (c *conn) DomainBlockInfo(ctx context.Context, ref virt.DomainRef, dev string, flags uint32) (virt.BlockInfo, error) {
	d, err := c.locked(ref)
	if err != nil {
		return virt.BlockInfo{}, err
	}
	dk := findDisk(d.current(), dev)
	var path, format string
	if dk != nil && dk.Source != nil {
		path = dk.Source.File
		if dk.Type == "block" {
			path = dk.Source.Dev
		}
		if dk.Driver != nil {
			format = dk.Driver.Type
		}
	}
	d.mu.Unlock()
	if dk == nil {
		return virt.BlockInfo{}, errNoDisk(dev)
	}
	if path == "" {
		return virt.BlockInfo{}, virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "disk '%s' does not currently have a source assigned", dev)
	}
	return imageInfo(path, format)
}

// imageInfo reads the sizes of a raw or qcow2 image.
func imageInfo(path, format string) (virt.BlockInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return virt.BlockInfo{}, sysErr("cannot stat file '%s': %v", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return virt.BlockInfo{}, sysErr("cannot stat file '%s': %v", path, err)
	}
	info := virt.BlockInfo{Physical: uint64(st.Size())}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		info.Allocation = uint64(sys.Blocks) * 512
	}
	if !st.Mode().IsRegular() {
		// A block device: its size is where its end is.
		end, err := f.Seek(0, 2)
		if err == nil {
			info.Physical, info.Allocation = uint64(end), uint64(end)
		}
	}
	info.Capacity = info.Physical
	if format == "qcow2" {
		var hdr [32]byte
		if _, err := f.ReadAt(hdr[:], 0); err == nil && string(hdr[:4]) == "QFI\xfb" {
			info.Capacity = binary.BigEndian.Uint64(hdr[24:32])
		}
	}
	return info, nil
}

// DomainDiskErrors implements virt.DomainMonitor: the disks QEMU reports
// an I/O error on.
func (c *conn) DomainDiskErrors(ctx context.Context, ref virt.DomainRef, flags uint32) ([]virt.DiskError, error) {
	d, err := c.lookup(ref)
	if err != nil {
		return nil, err
	}
	p, err := d.running()
	if err != nil {
		return nil, err
	}
	var list []struct {
		QDev     string `json:"qdev"`
		IOStatus string `json:"io-status"`
	}
	if err := qmpRun(ctx, p.mon, "query-block", nil, &list); err != nil {
		return nil, qmpError("cannot read block devices", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []virt.DiskError
	for _, b := range list {
		code := map[string]int32{"failed": 1, "nospace": 2}[b.IOStatus]
		if code == 0 {
			continue
		}
		for _, dk := range d.live.Devices.Disks {
			if dk.Alias != nil && strings.Contains(b.QDev, dk.Alias.Name) && dk.Target != nil {
				out = append(out, virt.DiskError{Disk: dk.Target.Dev, Error: code})
			}
		}
	}
	return out, nil
}

// DomainControlInfo implements virt.DomainMonitor: "job" while an
// operation holds the domain, else "ok".
func (c *conn) DomainControlInfo(ctx context.Context, ref virt.DomainRef, flags uint32) (virt.ControlInfo, error) {
	d, err := c.lookup(ref)
	if err != nil {
		return virt.ControlInfo{}, err
	}
	if _, err := d.running(); err != nil {
		return virt.ControlInfo{}, err
	}
	if len(d.job) > 0 {
		return virt.ControlInfo{State: 1}, nil
	}
	return virt.ControlInfo{}, nil
}

// DomainCPUStats implements virt.DomainMonitor: the total only (start -1),
// from /proc; per-host-CPU usage needs cgroups.
func (c *conn) DomainCPUStats(ctx context.Context, ref virt.DomainRef, start, n int, flags uint32) ([][]virt.TypedParam, error) {
	d, err := c.lookup(ref)
	if err != nil {
		return nil, err
	}
	p, err := d.running()
	if err != nil {
		return nil, err
	}
	if start != -1 {
		return nil, virt.Errorf(virt.ErrOperationUnsupported, virt.FromQEMU, "per-CPU statistics need cgroups, which this driver does not use")
	}
	st, err := readProcStat(p.pid)
	if err != nil {
		return nil, errNotRunning()
	}
	ns := uint64(1e9 / clockTicks)
	return [][]virt.TypedParam{{
		{Field: "cpu_time", Value: (st.utime + st.stime) * ns},
		{Field: "user_time", Value: st.utime * ns},
		{Field: "system_time", Value: st.stime * ns},
	}}, nil
}

// DomainCPUCount implements virt.DomainMonitor.
func (c *conn) DomainCPUCount(ctx context.Context, ref virt.DomainRef) (int, error) {
	if _, err := c.lookup(ref); err != nil {
		return 0, err
	}
	return runtime.NumCPU(), nil
}
