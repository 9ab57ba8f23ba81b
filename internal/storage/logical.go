package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// logicalPool is an LVM volume group; its volumes are logical volumes
// made and removed with the real LVM tools.
//
// On a kernel without device-mapper (some VMs and containers) LVM can
// still keep its metadata but cannot activate volumes. There the pool
// runs LVM with activation off, allocates every volume as one contiguous
// segment, and "activates" it itself: a loop device over the volume's
// extents of its physical volume, linked from /dev/VG/LV as LVM would.
type logicalPool struct {
	def  *virtxml.StoragePool
	vg   string
	noDM bool
}

func newLogical(def *virtxml.StoragePool) (Pool, error) {
	vg := def.Source.Name
	if vg == "" {
		vg = def.Name
	}
	return &logicalPool{def: def, vg: vg, noDM: !DeviceMapper()}, nil
}

// DeviceMapper reports whether the kernel has device-mapper.
func DeviceMapper() bool {
	_, err := os.Stat("/sys/class/misc/device-mapper")
	return err == nil
}

// lvm runs an LVM command with the configuration this host needs.
func (p *logicalPool) lvm(ctx context.Context, cmd string, args ...string) (string, error) {
	var conf []string
	if p.noDM {
		conf = append(conf, "global { activation = 0 }")
	}
	if _, err := os.Stat("/run/udev/control"); err != nil {
		// No udev to wait for.
		conf = append(conf, "activation { udev_sync = 0 udev_rules = 0 }")
	}
	if len(conf) > 0 {
		args = append([]string{"--config", strings.Join(conf, " ")}, args...)
	}
	return run(ctx, []string{"LVM_SUPPRESS_FD_WARNINGS=1"}, cmd, args...)
}

func (p *logicalPool) devices() []string {
	var d []string
	for _, dev := range p.def.Source.Devices {
		d = append(d, dev.Path)
	}
	return d
}

func (p *logicalPool) Build(ctx context.Context, overwrite bool) error {
	devs := p.devices()
	if len(devs) == 0 {
		return errors.New("a logical pool needs at least one source device to build")
	}
	for _, d := range devs {
		args := []string{"-y"}
		if overwrite {
			args = append(args, "-ff")
		}
		if _, err := p.lvm(ctx, "pvcreate", append(args, d)...); err != nil {
			return err
		}
	}
	_, err := p.lvm(ctx, "vgcreate", append([]string{p.vg}, devs...)...)
	return err
}

func (p *logicalPool) Start(ctx context.Context) error {
	if _, err := p.lvm(ctx, "vgs", "--noheadings", "-o", "vg_name", p.vg); err != nil {
		return fmt.Errorf("volume group '%s' is missing: %w", p.vg, err)
	}
	if !p.noDM {
		_, err := p.lvm(ctx, "vgchange", "-aay", p.vg)
		return err
	}
	lvs, err := p.lvs(ctx)
	if err != nil {
		return err
	}
	for _, lv := range lvs {
		if err := p.mapLV(ctx, lv); err != nil {
			return err
		}
	}
	return nil
}

func (p *logicalPool) Stop(ctx context.Context) error {
	if !p.noDM {
		_, err := p.lvm(ctx, "vgchange", "-aln", p.vg)
		return err
	}
	lvs, err := p.lvs(ctx)
	if err != nil {
		return err
	}
	var first error
	for _, lv := range lvs {
		if err := p.unmapLV(ctx, lv.name); err != nil && first == nil {
			first = err
		}
	}
	os.Remove(filepath.Join("/dev", p.vg))
	return first
}

func (p *logicalPool) Delete(ctx context.Context) error {
	if _, err := p.lvm(ctx, "vgremove", "-f", p.vg); err != nil {
		return err
	}
	for _, d := range p.devices() {
		if _, err := p.lvm(ctx, "pvremove", "-y", d); err != nil {
			return err
		}
	}
	return nil
}

// lvInfo is one logical volume as lvs reports it.
type lvInfo struct {
	name, uuid string
	size       uint64
	pv         string // first segment's physical volume
	startPE    uint64 // first segment's first extent
	segments   int
}

// lvs lists the group's logical volumes.
func (p *logicalPool) lvs(ctx context.Context) ([]lvInfo, error) {
	out, err := p.lvm(ctx, "lvs", "--noheadings", "--units", "b", "--nosuffix", "--separator", "|",
		"-o", "lv_name,lv_uuid,lv_size,devices", p.vg)
	if err != nil {
		return nil, err
	}
	var lvs []lvInfo
	for _, l := range strings.Split(out, "\n") {
		f := strings.Split(strings.TrimSpace(l), "|")
		if len(f) < 4 {
			continue
		}
		size, _ := strconv.ParseUint(f[2], 10, 64)
		lv := lvInfo{name: f[0], uuid: f[1], size: size}
		segs := strings.Split(f[3], ",")
		lv.segments = len(segs)
		if i := strings.IndexByte(segs[0], '('); i > 0 {
			lv.pv = segs[0][:i]
			lv.startPE, _ = strconv.ParseUint(strings.TrimSuffix(segs[0][i+1:], ")"), 10, 64)
		}
		lvs = append(lvs, lv)
	}
	sort.Slice(lvs, func(i, j int) bool { return lvs[i].name < lvs[j].name })
	return lvs, nil
}

// vgSizes reads the group's size, free space and extent size.
func (p *logicalPool) vgSizes(ctx context.Context) (size, free, extent uint64, err error) {
	out, err := p.lvm(ctx, "vgs", "--noheadings", "--units", "b", "--nosuffix", "--separator", "|",
		"-o", "vg_size,vg_free,vg_extent_size", p.vg)
	if err != nil {
		return 0, 0, 0, err
	}
	f := strings.Split(strings.TrimSpace(out), "|")
	if len(f) < 3 {
		return 0, 0, 0, fmt.Errorf("unexpected vgs output %q", out)
	}
	size, _ = strconv.ParseUint(f[0], 10, 64)
	free, _ = strconv.ParseUint(f[1], 10, 64)
	extent, _ = strconv.ParseUint(f[2], 10, 64)
	return size, free, extent, nil
}

func (p *logicalPool) lvPath(name string) string { return filepath.Join("/dev", p.vg, name) }

// mapLV gives a logical volume a device without device-mapper: a loop
// device over its extents, linked from /dev/VG/LV.
func (p *logicalPool) mapLV(ctx context.Context, lv lvInfo) error {
	if lv.segments != 1 || lv.pv == "" {
		return fmt.Errorf("logical volume '%s' has %d segments: without device-mapper only contiguous volumes can be used", lv.name, lv.segments)
	}
	if _, err := os.Stat(p.lvPath(lv.name)); err == nil {
		return nil // mapped already
	}
	_, _, extent, err := p.vgSizes(ctx)
	if err != nil {
		return err
	}
	out, err := p.lvm(ctx, "pvs", "--noheadings", "--units", "b", "--nosuffix", "-o", "pe_start", lv.pv)
	if err != nil {
		return err
	}
	peStart, err := strconv.ParseUint(strings.TrimSpace(out), 10, 64)
	if err != nil {
		return fmt.Errorf("unexpected pvs output %q", out)
	}
	off := peStart + lv.startPE*extent
	dev, err := run(ctx, nil, "losetup", "--find", "--show", "--offset", strconv.FormatUint(off, 10),
		"--sizelimit", strconv.FormatUint(lv.size, 10), lv.pv)
	if err != nil {
		return err
	}
	dev = strings.TrimSpace(dev)
	if err := os.MkdirAll(filepath.Join("/dev", p.vg), 0o755); err == nil {
		err = os.Symlink(dev, p.lvPath(lv.name))
	}
	if err != nil {
		run(ctx, nil, "losetup", "-d", dev)
		return fmt.Errorf("cannot link %s: %w", p.lvPath(lv.name), err)
	}
	return nil
}

// unmapLV removes what mapLV made.
func (p *logicalPool) unmapLV(ctx context.Context, name string) error {
	link := p.lvPath(name)
	dev, err := os.Readlink(link)
	if err != nil {
		return nil
	}
	os.Remove(link)
	if _, err := run(ctx, nil, "losetup", "-d", dev); err != nil {
		return err
	}
	return nil
}

func (p *logicalPool) Refresh(ctx context.Context) (Sizes, []*virtxml.StorageVol, error) {
	size, free, _, err := p.vgSizes(ctx)
	if err != nil {
		return Sizes{}, nil, err
	}
	lvs, err := p.lvs(ctx)
	if err != nil {
		return Sizes{}, nil, err
	}
	var vols []*virtxml.StorageVol
	for _, lv := range lvs {
		if p.noDM {
			// A volume made behind our back gets its device now.
			if err := p.mapLV(ctx, lv); err != nil {
				continue
			}
		}
		v := &virtxml.StorageVol{Type: "block", Name: lv.name, Key: lv.uuid,
			Capacity: lv.size, Allocation: lv.size, HasAllocation: true}
		v.Target.Path = p.lvPath(lv.name)
		if lv.pv != "" {
			v.Extents = []virtxml.StorageVolExtent{{Path: lv.pv}}
		}
		vols = append(vols, v)
	}
	return Sizes{Capacity: size, Allocation: size - free, Available: free}, vols, nil
}

func (p *logicalPool) lookup(ctx context.Context, name string) (lvInfo, error) {
	lvs, err := p.lvs(ctx)
	if err != nil {
		return lvInfo{}, err
	}
	for _, lv := range lvs {
		if lv.name == name {
			return lv, nil
		}
	}
	return lvInfo{}, fmt.Errorf("logical volume '%s' not found in '%s'", name, p.vg)
}

func (p *logicalPool) CreateVol(ctx context.Context, v, from *virtxml.StorageVol) error {
	args := []string{"--name", v.Name, "-L", strconv.FormatUint(v.Capacity, 10) + "b", "-y"}
	if p.noDM {
		args = append(args, "--alloc", "contiguous", "-Zn")
	}
	if _, err := p.lvm(ctx, "lvcreate", append(args, p.vg)...); err != nil {
		return err
	}
	lv, err := p.lookup(ctx, v.Name)
	if err == nil && p.noDM {
		err = p.mapLV(ctx, lv)
	}
	if err == nil && from != nil {
		err = ConvertImage(ctx, from.Target.Path, volFormat(from), p.lvPath(v.Name), "raw", true)
	}
	if err != nil {
		p.DeleteVol(ctx, &virtxml.StorageVol{Name: v.Name})
		return err
	}
	v.Target.Path, v.Key = p.lvPath(v.Name), lv.uuid
	return nil
}

func (p *logicalPool) DeleteVol(ctx context.Context, v *virtxml.StorageVol) error {
	if p.noDM {
		if err := p.unmapLV(ctx, v.Name); err != nil {
			return err
		}
	}
	_, err := p.lvm(ctx, "lvremove", "-f", p.vg+"/"+v.Name)
	return err
}

func (p *logicalPool) ResizeVol(ctx context.Context, v *virtxml.StorageVol, capacity uint64, shrink bool) error {
	args := []string{"-f", "-L", strconv.FormatUint(capacity, 10) + "b"}
	if p.noDM {
		args = append(args, "--alloc", "contiguous")
		if err := p.unmapLV(ctx, v.Name); err != nil {
			return err
		}
	}
	_, err := p.lvm(ctx, "lvresize", append(args, p.vg+"/"+v.Name)...)
	if p.noDM {
		if lv, lerr := p.lookup(ctx, v.Name); lerr == nil {
			if merr := p.mapLV(ctx, lv); err == nil {
				err = merr
			}
		}
	}
	return err
}
