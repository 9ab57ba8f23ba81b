package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/govirt/govirt/virtxml"
)

// Sizes are a pool's capacity, allocation and free space in bytes.
type Sizes struct {
	Capacity, Allocation, Available uint64
}

// Pool is a running pool's backend.
type Pool interface {
	// Build makes the pool's storage (folder, file system, volume group).
	Build(ctx context.Context, overwrite bool) error
	// Start makes the pool usable (mounts, activates).
	Start(ctx context.Context) error
	// Stop undoes Start.
	Stop(ctx context.Context) error
	// Delete removes the pool's storage (what Build made).
	Delete(ctx context.Context) error
	// Refresh reads the pool's sizes and volumes from the host.
	Refresh(ctx context.Context) (Sizes, []*virtxml.StorageVol, error)
	// CreateVol makes the volume v (its name, capacity, format and backing
	// store set), copying the data of from when it is not nil. It fills
	// in v's path and key.
	CreateVol(ctx context.Context, v, from *virtxml.StorageVol) error
	// DeleteVol removes a volume.
	DeleteVol(ctx context.Context, v *virtxml.StorageVol) error
	// ResizeVol changes a volume's capacity.
	ResizeVol(ctx context.Context, v *virtxml.StorageVol, capacity uint64, shrink bool) error
}

// New returns the backend of a pool definition.
func New(def *virtxml.StoragePool) (Pool, error) {
	switch def.Type {
	case "dir":
		return &dirPool{def: def}, nil
	case "fs":
		return &dirPool{def: def, fs: true}, nil
	case "logical":
		return newLogical(def)
	}
	return nil, fmt.Errorf("storage pool type '%s' is not supported", def.Type)
}

func targetPath(def *virtxml.StoragePool) string {
	if def.Target == nil {
		return ""
	}
	return def.Target.Path
}

// dirPool is a folder of image files; an fs pool is one on a file system
// of its own, mounted there while the pool runs.
type dirPool struct {
	def *virtxml.StoragePool
	fs  bool
}

func (p *dirPool) dir() string { return targetPath(p.def) }

func (p *dirPool) device() (string, string, error) {
	if len(p.def.Source.Devices) != 1 {
		return "", "", fmt.Errorf("an fs pool needs exactly one source device")
	}
	format := p.def.Source.Format
	if format == "" || format == "auto" {
		format = "ext4"
	}
	return p.def.Source.Devices[0].Path, format, nil
}

func (p *dirPool) Build(ctx context.Context, overwrite bool) error {
	mode := os.FileMode(0o711)
	if t := p.def.Target; t != nil && t.Perms != nil && t.Perms.Mode != nil {
		mode = os.FileMode(*t.Perms.Mode)
	}
	if err := os.MkdirAll(p.dir(), mode); err != nil {
		return fmt.Errorf("cannot create path '%s': %w", p.dir(), err)
	}
	if !p.fs {
		return nil
	}
	dev, format, err := p.device()
	if err != nil {
		return err
	}
	if !overwrite {
		// Refuse to format a device that holds a file system already.
		if out, _ := run(ctx, nil, "blkid", "-o", "value", "-s", "TYPE", dev); strings.TrimSpace(out) != "" {
			return fmt.Errorf("Format of device '%s' does not match the expected format '%s', forced overwrite is necessary", dev, format)
		}
	}
	_, err = run(ctx, nil, "mkfs", "-t", format, "-F", dev)
	if err != nil && format != "ext2" && format != "ext3" && format != "ext4" {
		_, err = run(ctx, nil, "mkfs", "-t", format, dev)
	}
	return err
}

func (p *dirPool) Start(ctx context.Context) error {
	if fi, err := os.Stat(p.dir()); err != nil || !fi.IsDir() {
		return fmt.Errorf("cannot open directory '%s': No such file or directory", p.dir())
	}
	if !p.fs || p.mounted() {
		return nil
	}
	dev, format, err := p.device()
	if err != nil {
		return err
	}
	_, err = run(ctx, nil, "mount", "-t", format, dev, p.dir())
	return err
}

// mounted reports whether a file system is mounted on the pool's folder.
func (p *dirPool) mounted() bool {
	b, _ := os.ReadFile("/proc/self/mounts")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[1] == p.dir() {
			return true
		}
	}
	return false
}

func (p *dirPool) Stop(ctx context.Context) error {
	if p.fs && p.mounted() {
		_, err := run(ctx, nil, "umount", p.dir())
		return err
	}
	return nil
}

func (p *dirPool) Delete(ctx context.Context) error {
	if err := os.Remove(p.dir()); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("failed to remove pool '%s': %w", p.dir(), err)
	}
	return nil
}

func (p *dirPool) Refresh(ctx context.Context) (Sizes, []*virtxml.StorageVol, error) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(p.dir(), &fs); err != nil {
		return Sizes{}, nil, fmt.Errorf("cannot statvfs path '%s': %w", p.dir(), err)
	}
	s := Sizes{Capacity: fs.Blocks * uint64(fs.Frsize), Available: fs.Bavail * uint64(fs.Frsize)}
	s.Allocation = s.Capacity - fs.Bfree*uint64(fs.Frsize)
	ents, err := os.ReadDir(p.dir())
	if err != nil {
		return Sizes{}, nil, fmt.Errorf("cannot open directory '%s': %w", p.dir(), err)
	}
	var vols []*virtxml.StorageVol
	for _, e := range ents {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		v, err := FileVol(filepath.Join(p.dir(), e.Name()))
		if err != nil {
			continue // vanished, or unreadable: libvirt skips it too
		}
		vols = append(vols, v)
	}
	sort.Slice(vols, func(i, j int) bool { return vols[i].Name < vols[j].Name })
	return s, vols, nil
}

// FileVol describes the image file at path as a volume.
func FileVol(path string) (*virtxml.StorageVol, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	img, err := ReadImage(path)
	if err != nil {
		return nil, err
	}
	v := &virtxml.StorageVol{Type: "file", Name: filepath.Base(path), Key: path,
		Capacity: img.Capacity, Allocation: Allocation(fi), HasAllocation: true, Physical: uint64(fi.Size())}
	v.Target.Path = path
	v.Target.Format = &virtxml.StorageVolFormat{Type: img.Format}
	mode := uint32(fi.Mode().Perm())
	var owner, group uint32
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		owner, group = st.Uid, st.Gid
		v.Target.Timestamps = &virtxml.StorageVolTimestamps{
			Atime: stamp(st.Atim), Mtime: stamp(st.Mtim), Ctime: stamp(st.Ctim),
		}
	}
	v.Target.Perms = &virtxml.StoragePerms{Mode: &mode, Owner: &owner, Group: &group}
	if img.Format == "qcow2" {
		v.Target.Compat = img.Compat
		v.Target.ClusterSize = img.ClusterSize
	}
	if img.Backing != "" {
		b := img.Backing
		if !filepath.IsAbs(b) {
			b = filepath.Join(filepath.Dir(path), b)
		}
		v.BackingStore = &virtxml.StorageVolTarget{Path: b}
		if img.BackingFormat != "" {
			v.BackingStore.Format = &virtxml.StorageVolFormat{Type: img.BackingFormat}
		}
	}
	return v, nil
}

func stamp(ts syscall.Timespec) string {
	return fmt.Sprintf("%d.%09d", ts.Sec, ts.Nsec)
}

func volFormat(v *virtxml.StorageVol) string {
	if v.Target.Format != nil && v.Target.Format.Type != "" && v.Target.Format.Type != "none" {
		return v.Target.Format.Type
	}
	return "raw"
}

func (p *dirPool) CreateVol(ctx context.Context, v, from *virtxml.StorageVol) error {
	path := filepath.Join(p.dir(), v.Name)
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("storage vol '%s' exists already", v.Name)
	}
	format := volFormat(v)
	if format != "raw" && format != "qcow2" {
		return fmt.Errorf("volume format '%s' is not supported (use raw or qcow2)", format)
	}
	var err error
	switch {
	case from != nil:
		err = ConvertImage(ctx, from.Target.Path, volFormat(from), path, format, false)
		if err == nil && v.Capacity > from.Capacity {
			err = ResizeImage(ctx, path, format, v.Capacity, false)
		}
	case v.BackingStore != nil && v.BackingStore.Path != "":
		if format != "qcow2" {
			return fmt.Errorf("a backing store needs format qcow2, not '%s'", format)
		}
		bf := ""
		if v.BackingStore.Format != nil {
			bf = v.BackingStore.Format.Type
		}
		if bf == "" {
			img, rerr := ReadImage(v.BackingStore.Path)
			if rerr != nil {
				return fmt.Errorf("cannot read backing store '%s': %w", v.BackingStore.Path, rerr)
			}
			bf = img.Format
		}
		err = CreateImage(ctx, path, format, v.Capacity, v.BackingStore.Path, bf)
	case format == "raw":
		err = createRaw(path, v)
	default:
		err = CreateImage(ctx, path, format, v.Capacity, "", "")
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	if v.Target.Perms != nil && v.Target.Perms.Mode != nil {
		os.Chmod(path, os.FileMode(*v.Target.Perms.Mode))
	}
	v.Target.Path, v.Key = path, path
	return nil
}

// createRaw makes a raw file of the volume's capacity, allocating what
// its allocation asks (libvirt's default: all of it, unless 0).
func createRaw(path string, v *virtxml.StorageVol) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(int64(v.Capacity)); err != nil {
		return err
	}
	alloc := v.Capacity
	if v.HasAllocation && v.Allocation < alloc {
		alloc = v.Allocation
	}
	if alloc > 0 {
		if err := syscall.Fallocate(int(f.Fd()), 0, 0, int64(alloc)); err != nil {
			return fmt.Errorf("cannot allocate %d bytes in file '%s': %w", alloc, path, err)
		}
	}
	return f.Sync()
}

func (p *dirPool) DeleteVol(ctx context.Context, v *virtxml.StorageVol) error {
	if err := os.Remove(v.Target.Path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("cannot unlink file '%s': %w", v.Target.Path, err)
	}
	return nil
}

func (p *dirPool) ResizeVol(ctx context.Context, v *virtxml.StorageVol, capacity uint64, shrink bool) error {
	return ResizeImage(ctx, v.Target.Path, volFormat(v), capacity, shrink)
}
