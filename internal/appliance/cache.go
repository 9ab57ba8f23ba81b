package appliance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"unsafe"
)

// StampFile is the file, inside a built appliance, that records how it was
// built and the content hashes of everything it was built from.
const StampFile = ".govirt-appliance.json"

// builderVersion changes whenever the builder's output would.
const builderVersion = "appliance-v1"

// Stamp describes a built appliance.
type Stamp struct {
	Key           string `json:"key"`
	Format        string `json:"format"`
	Kernel        string `json:"kernel,omitempty"`
	KernelVersion string `json:"kernelVersion,omitempty"`
	// KernelSum is the content hash of out/kernel. KernelELF: the
	// kernel's uncompressed ELF payload, which Run boots through its PVH
	// entry point, is in the cache under that hash.
	KernelSum string       `json:"kernelSum,omitempty"`
	KernelELF bool         `json:"kernelELF,omitempty"`
	Packages  []string     `json:"packages,omitempty"`
	Files     int          `json:"files"`
	Bytes     int64        `json:"bytes"`
	Inputs    []stampInput `json:"inputs"`
}

type stampInput struct {
	Path  string `json:"path"`
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime"`
	CTime int64  `json:"ctime"`
	Ino   uint64 `json:"ino"`
	Sum   string `json:"sum"`
}

// ReadStamp reads a built appliance's stamp.
func ReadStamp(out string) (*Stamp, error) {
	b, err := os.ReadFile(filepath.Join(out, StampFile))
	if err != nil {
		return nil, fmt.Errorf("%s is not a built appliance: %w", out, err)
	}
	var s Stamp
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: bad %s: %w", out, StampFile, err)
	}
	return &s, nil
}

// hashInputs computes the content hashes of files, reusing the previous
// stamp's hash of a file whose size, times and inode have not changed.
// Missing files hash as "missing".
func hashInputs(paths []string, prev *Stamp) ([]stampInput, error) {
	old := map[string]stampInput{}
	if prev != nil {
		for _, in := range prev.Inputs {
			old[in.Path] = in
		}
	}
	sort.Strings(paths)
	out := make([]stampInput, 0, len(paths))
	for i, p := range paths {
		if i > 0 && paths[i-1] == p {
			continue
		}
		in := stampInput{Path: p}
		st, err := os.Stat(p)
		if err != nil {
			in.Sum = "missing"
			out = append(out, in)
			continue
		}
		in.Size = st.Size()
		in.MTime = st.ModTime().UnixNano()
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			in.CTime = sys.Ctim.Nano()
			in.Ino = sys.Ino
		}
		if st.IsDir() {
			in.Sum = "directory"
		} else if o, ok := old[p]; ok && o.Size == in.Size && o.MTime == in.MTime && o.CTime == in.CTime && o.Ino == in.Ino {
			in.Sum = o.Sum
		} else {
			sum, err := fileSum(p)
			if err != nil {
				return nil, err
			}
			in.Sum = sum
		}
		out = append(out, in)
	}
	return out, nil
}

func fileSum(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cacheKey combines the options and the inputs' content hashes.
func cacheKey(opts string, inputs []stampInput) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", builderVersion, opts)
	for _, in := range inputs {
		fmt.Fprintf(h, "%s %s\n", in.Path, in.Sum)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// lockFor takes an exclusive lock for building out, on a hidden lock file
// beside it (out itself is replaced while building). It returns the unlock.
func lockFor(out string) (func(), error) {
	dir, base := filepath.Split(filepath.Clean(out))
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "."+base+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", out, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", out, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// replaceDir puts the finished folder tmp in place of out: an atomic
// exchange when out exists (renameat2 RENAME_EXCHANGE), then the old
// content is removed.
func replaceDir(tmp, out string) error {
	if _, err := os.Lstat(out); os.IsNotExist(err) {
		return os.Rename(tmp, out)
	}
	if err := renameExchange(tmp, out); err == nil {
		return removeAll(tmp)
	}
	old := out + ".old-" + filepath.Base(tmp)
	if err := os.Rename(out, old); err != nil {
		return fmt.Errorf("replace %s: %w", out, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Rename(old, out)
		return fmt.Errorf("replace %s: %w", out, err)
	}
	return removeAll(old)
}

// removeAll removes a tree even where folders were left read-only.
func removeAll(p string) error {
	if err := os.RemoveAll(p); err == nil {
		return nil
	}
	filepath.Walk(p, func(q string, info os.FileInfo, err error) error {
		if err == nil && info.IsDir() {
			os.Chmod(q, 0o700)
		}
		return nil
	})
	return os.RemoveAll(p)
}

// sysRenameat2 is renameat2(2)'s number (the syscall package lacks it);
// 0 where unknown, and replaceDir falls back to two renames.
var sysRenameat2 = map[string]uintptr{"amd64": 316, "arm64": 276, "riscv64": 276, "386": 353, "ppc64le": 357, "s390x": 347}[runtime.GOARCH]

const renameExchangeFlag = 2 // RENAME_EXCHANGE

func renameExchange(a, b string) error {
	if sysRenameat2 == 0 {
		return syscall.ENOSYS
	}
	pa, err := syscall.BytePtrFromString(a)
	if err != nil {
		return err
	}
	pb, err := syscall.BytePtrFromString(b)
	if err != nil {
		return err
	}
	cwd := -100 // AT_FDCWD
	_, _, e := syscall.Syscall6(sysRenameat2, uintptr(cwd), uintptr(unsafe.Pointer(pa)), uintptr(cwd), uintptr(unsafe.Pointer(pb)), renameExchangeFlag, 0)
	if e != 0 {
		return e
	}
	return nil
}
