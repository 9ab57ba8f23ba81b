package appliance

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// directKernel returns an uncompressed copy of a bzImage kernel (its ELF
// payload, cached under CacheDir by the kernel's content hash) when the
// kernel can be entered directly (Xen PVH entry point, which QEMU uses for
// ELF kernels). Under TCG this skips the kernel's own decompression, which
// takes seconds. ok is false when the kernel cannot be booted that way.
func directKernel(kernel, sum string) (path string, ok bool) {
	dst := filepath.Join(CacheDir(), "appliance", "vmlinux-"+sum[:24])
	if isFile(dst) {
		return dst, true
	}
	elfData, err := extractPayload(kernel)
	if err != nil || !hasPVHEntry(elfData) {
		return "", false
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", false
	}
	tmp := fmt.Sprintf("%s.tmp%d", dst, os.Getpid())
	if err := writeSparse(tmp, elfData); err != nil {
		os.Remove(tmp)
		return "", false
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", false
	}
	return dst, true
}

// extractPayload decompresses the protected-mode payload of a bzImage.
func extractPayload(kernel string) ([]byte, error) {
	b, err := os.ReadFile(kernel)
	if err != nil {
		return nil, err
	}
	if len(b) < 0x250 || string(b[0x202:0x206]) != "HdrS" || binary.LittleEndian.Uint16(b[0x206:]) < 0x208 {
		return nil, fmt.Errorf("not a bzImage with a payload header")
	}
	setup := (int(b[0x1f1]) + 1) * 512
	if b[0x1f1] == 0 {
		setup = 5 * 512
	}
	off := setup + int(binary.LittleEndian.Uint32(b[0x248:]))
	n := int(binary.LittleEndian.Uint32(b[0x24c:]))
	if off+n > len(b) || n <= 0 {
		return nil, fmt.Errorf("bad payload bounds")
	}
	payload := b[off : off+n]
	var tool []string
	switch {
	case bytes.HasPrefix(payload, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		zr.Multistream(false)
		return io.ReadAll(zr)
	case bytes.HasPrefix(payload, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		tool = []string{"xz", "-dc", "--single-stream"}
	case bytes.HasPrefix(payload, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		tool = []string{"zstd", "-dcq"}
	case bytes.HasPrefix(payload, []byte{0x02, 0x21, 0x4c, 0x18}):
		tool = []string{"lz4", "-dcq"}
	default:
		return nil, fmt.Errorf("unknown kernel compression")
	}
	cmd := exec.Command(tool[0], tool[1:]...)
	cmd.Stdin = bytes.NewReader(payload)
	out, err := cmd.Output()
	if len(out) < 64 || !bytes.HasPrefix(out, []byte("\x7fELF")) {
		return nil, fmt.Errorf("%s: %v", tool[0], err)
	}
	return out, nil
}

// hasPVHEntry reports whether an ELF kernel has a Xen PVH entry note
// (XEN_ELFNOTE_PHYS32_ENTRY), which QEMU needs to boot it directly.
func hasPVHEntry(b []byte) bool {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return false
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		data := make([]byte, p.Filesz)
		if _, err := p.ReadAt(data, 0); err != nil {
			continue
		}
		for len(data) >= 12 {
			nsz := binary.LittleEndian.Uint32(data[0:])
			dsz := binary.LittleEndian.Uint32(data[4:])
			typ := binary.LittleEndian.Uint32(data[8:])
			nameEnd := 12 + int((nsz+3)&^3)
			end := nameEnd + int((dsz+3)&^3)
			if end > len(data) {
				break
			}
			if typ == 18 && bytes.HasPrefix(data[12:], []byte("Xen")) {
				return true
			}
			data = data[end:]
		}
	}
	return false
}

// writeSparse writes b to a new file, leaving runs of zero blocks as holes.
func writeSparse(p string, b []byte) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	const blk = 4096
	zero := make([]byte, blk)
	for off := 0; off < len(b); {
		end := min(off+blk, len(b))
		if !bytes.Equal(b[off:end], zero[:end-off]) {
			run := end
			for run < len(b) {
				e := min(run+blk, len(b))
				if bytes.Equal(b[run:e], zero[:e-run]) {
					break
				}
				run = e
			}
			if _, err := f.WriteAt(b[off:run], int64(off)); err != nil {
				f.Close()
				return err
			}
			end = run
		}
		off = end
	}
	if err := f.Truncate(int64(len(b))); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
