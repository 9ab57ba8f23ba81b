// Package storage runs govirt's storage pools on the host: directory and
// mounted-filesystem pools of raw and qcow2 images made with the real
// qemu-img, and logical pools on LVM volume groups through the real LVM
// tools. The QEMU driver keeps the pool definitions and state; this
// package does the work and reads back what is there, including volumes
// made behind govirt's back.
package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// QemuImg is the qemu-img binary.
var QemuImg = "qemu-img"

// run runs a command and returns its standard output; the error carries
// its standard error.
func run(ctx context.Context, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = strings.TrimSpace(out.String())
		}
		return out.String(), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, msg)
	}
	return out.String(), nil
}

// Image is what an image file's header says.
type Image struct {
	Format        string // raw or qcow2
	Capacity      uint64 // the size the guest sees
	Backing       string // backing file ("" for none)
	BackingFormat string
	ClusterSize   uint64 // qcow2
	Compat        string // qcow2: 0.10 or 1.1
}

// ReadImage reads the header of the image at path: qcow2 images are
// recognised by their magic, anything else is raw (of the file's or
// device's size).
func ReadImage(path string) (Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return Image{}, err
	}
	defer f.Close()
	hdr := make([]byte, 4096)
	n, _ := io.ReadFull(f, hdr)
	hdr = hdr[:n]
	if len(hdr) >= 72 && string(hdr[:4]) == "QFI\xfb" {
		return parseQcow2(f, hdr)
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return Image{}, err
	}
	return Image{Format: "raw", Capacity: uint64(size)}, nil
}

func parseQcow2(f *os.File, hdr []byte) (Image, error) {
	be := binary.BigEndian
	img := Image{Format: "qcow2", Capacity: be.Uint64(hdr[24:]), ClusterSize: 1 << be.Uint32(hdr[20:]), Compat: "0.10"}
	version := be.Uint32(hdr[4:])
	hdrLen := uint32(72)
	if version >= 3 {
		img.Compat = "1.1"
		if len(hdr) >= 104 {
			hdrLen = be.Uint32(hdr[100:])
		}
	}
	if off, l := be.Uint64(hdr[8:]), be.Uint32(hdr[16:]); off > 0 && l > 0 && l < 4096 {
		b := make([]byte, l)
		if _, err := f.ReadAt(b, int64(off)); err == nil {
			img.Backing = string(b)
		}
	}
	// Header extensions: the backing file's format.
	for p := int(hdrLen); p+8 <= len(hdr); {
		typ, l := be.Uint32(hdr[p:]), int(be.Uint32(hdr[p+4:]))
		if typ == 0 || p+8+l > len(hdr) {
			break
		}
		if typ == 0xe2792aca {
			img.BackingFormat = string(hdr[p+8 : p+8+l])
		}
		p += 8 + (l+7)&^7
	}
	return img, nil
}

// CreateImage creates an image file of format raw or qcow2 with qemu-img;
// a qcow2 image may have a backing file (of format backingFmt).
func CreateImage(ctx context.Context, path, format string, capacity uint64, backing, backingFmt string) error {
	args := []string{"create", "-f", format}
	if backing != "" {
		args = append(args, "-b", backing)
		if backingFmt != "" {
			args = append(args, "-F", backingFmt)
		}
	}
	args = append(args, path)
	if capacity > 0 || backing == "" {
		args = append(args, strconv.FormatUint(capacity, 10))
	}
	_, err := run(ctx, nil, QemuImg, args...)
	return err
}

// ConvertImage copies the image src into dst (a new file of format, or,
// with existing, a device or file that exists already and gets raw data).
func ConvertImage(ctx context.Context, src, srcFmt, dst, format string, existing bool) error {
	args := []string{"convert", "-f", srcFmt, "-O", format}
	if existing {
		args = append(args, "-n")
	}
	_, err := run(ctx, nil, QemuImg, append(args, src, dst)...)
	return err
}

// ResizeImage changes an image file's capacity with qemu-img.
func ResizeImage(ctx context.Context, path, format string, capacity uint64, shrink bool) error {
	args := []string{"resize", "-f", format}
	if shrink {
		args = append(args, "--shrink")
	}
	_, err := run(ctx, nil, QemuImg, append(args, path, strconv.FormatUint(capacity, 10))...)
	return err
}

// Allocation is the space a file takes on disk.
func Allocation(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Blocks) * 512
	}
	return uint64(fi.Size())
}
