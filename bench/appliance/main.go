// Command appliance benchmarks govirt's appliance builder against Debian's
// supermin 5.2.2 on the same package list, and the time to a command's
// result in a booted appliance against libguestfs 1.48 (`guestfish -a
// /dev/null run`, direct backend, TCG), in one run. It prints
//
//	RESULT appliance-prepare ours=S peer=S ratio=OURS/PEER
//	RESULT appliance-build ours=S peer=S ratio=OURS/PEER          (ext2, output absent)
//	RESULT appliance-prepare-build ours=S peer=S ratio=OURS/PEER
//	RESULT appliance-noop ours=MS peer=MS ratio=OURS/PEER         (nothing changed)
//	RESULT appliance-size ours=MIB peer=MIB ratio=OURS/PEER       (allocated, kernel included)
//	RESULT appliance-boot-to-result ours=S peer=S ratio=OURS/PEER
//
// Medians of -n rounds (boots: -m rounds after one untimed warm-up each);
// the two sides take turns within each round. Both run as separate
// processes: govirt as a binary built like a release.
//
// Usage: go run ./bench/appliance [-n 5] [-m 3] [-pkgs "bash coreutils"] [-setup]
//
// -setup installs supermin and libguestfs-tools with apt-get when missing
// (libguestfs brings a kernel, which both builders then use).
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 5, "rounds of prepare, build and no-op check")
	m := flag.Int("m", 3, "timed boots per side")
	pkgs := flag.String("pkgs", "bash coreutils", "packages of the appliance")
	setup := flag.Bool("setup", false, "apt-get install supermin libguestfs-tools when missing")
	flag.Parse()
	if err := run(*n, *m, strings.Fields(*pkgs), *setup); err != nil {
		fmt.Fprintln(os.Stderr, "appliance:", err)
		os.Exit(1)
	}
}

func run(n, m int, pkgs []string, setup bool) error {
	if setup {
		var missing []string
		for _, p := range []string{"supermin", "libguestfs-tools"} {
			if exec.Command("dpkg-query", "-W", "-f=${Status}", p).Run() != nil {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			cmd := exec.Command("apt-get", append([]string{"install", "-y", "-q"}, missing...)...)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("apt-get install %v: %w", missing, err)
			}
		}
	}
	for _, tool := range []string{"supermin", "guestfish"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: run with -setup", tool)
		}
	}
	work, err := os.MkdirTemp("/var/tmp", "gvab")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	govirt := filepath.Join(work, "govirt")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", govirt, "./cmd/govirt")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build govirt: %w", err)
	}
	sd, so := filepath.Join(work, "supermin.d"), filepath.Join(work, "supermin-out")
	gd, gout := filepath.Join(work, "govirt.d"), filepath.Join(work, "govirt-out")
	lock := filepath.Join(work, "supermin.lock")
	var prep, bld, noop [2][]time.Duration
	for i := 0; i < n; i++ {
		os.RemoveAll(sd)
		os.RemoveAll(gd)
		t, err := timed("supermin", append([]string{"--prepare", "-o", sd}, pkgs...)...)
		if err != nil {
			return err
		}
		prep[1] = append(prep[1], t)
		if t, err = timed(govirt, append([]string{"appliance", "prepare", "-o", gd}, pkgs...)...); err != nil {
			return err
		}
		prep[0] = append(prep[0], t)

		os.RemoveAll(so)
		os.RemoveAll(gout)
		if t, err = timed("supermin", "--build", "-f", "ext2", "--lock", lock, sd, "-o", so); err != nil {
			return err
		}
		bld[1] = append(bld[1], t)
		if t, err = timed(govirt, "appliance", "build", "-f", "ext2", gd, "-o", gout); err != nil {
			return err
		}
		bld[0] = append(bld[0], t)

		if t, err = timed("supermin", "--build", "--if-newer", "--lock", lock, "-f", "ext2", sd, "-o", so); err != nil {
			return err
		}
		noop[1] = append(noop[1], t)
		if t, err = timed(govirt, "appliance", "build", "-f", "ext2", gd, "-o", gout); err != nil {
			return err
		}
		noop[0] = append(noop[0], t)
	}
	sec := func(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
	result("appliance-prepare", median(prep[0]), median(prep[1]), sec)
	result("appliance-build", median(bld[0]), median(bld[1]), sec)
	result("appliance-prepare-build", median(prep[0])+median(bld[0]), median(prep[1])+median(bld[1]), sec)
	result("appliance-noop", median(noop[0]), median(noop[1]), ms)
	ours, peer := allocated(gout), allocated(so)
	fmt.Printf("RESULT appliance-size ours=%.1fMiB peer=%.1fMiB ratio=%.3f\n", mibf(ours), mibf(peer), float64(ours)/float64(peer))

	// Boot to a command's result; one warm-up each (libguestfs builds its
	// own appliance with supermin on first use).
	gf := func() (time.Duration, error) {
		cmd := exec.Command("guestfish", "-a", "/dev/null", "run")
		cmd.Env = append(os.Environ(), "LIBGUESTFS_BACKEND=direct", "LIBGUESTFS_BACKEND_SETTINGS=force_tcg")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("guestfish: %v: %s", err, out)
		}
		return time.Since(start), nil
	}
	ga := func() (time.Duration, error) {
		start := time.Now()
		out, err := exec.Command(govirt, "appliance", "run", gout, "--", "uname", "-r").CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("govirt appliance run: %v: %s", err, out)
		}
		if len(strings.TrimSpace(string(out))) == 0 {
			return 0, fmt.Errorf("govirt appliance run: no output")
		}
		return time.Since(start), nil
	}
	if _, err := gf(); err != nil {
		return err
	}
	if _, err := ga(); err != nil {
		return err
	}
	var boot [2][]time.Duration
	for i := 0; i < m; i++ {
		t, err := ga()
		if err != nil {
			return err
		}
		boot[0] = append(boot[0], t)
		if t, err = gf(); err != nil {
			return err
		}
		boot[1] = append(boot[1], t)
	}
	result("appliance-boot-to-result", median(boot[0]), median(boot[1]), sec)
	return nil
}

func timed(name string, args ...string) (time.Duration, error) {
	start := time.Now()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return time.Since(start), nil
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func result(name string, ours, peer time.Duration, f func(time.Duration) string) {
	fmt.Printf("RESULT %s ours=%s peer=%s ratio=%.3f\n", name, f(ours), f(peer), float64(ours)/float64(peer))
}

func mibf(b int64) float64 { return float64(b) / (1 << 20) }

// allocated sums the disk space of an output folder's files, following
// symbolic links (supermin links its kernel to /boot).
func allocated(dir string) int64 {
	var total int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		var st syscall.Stat_t
		if syscall.Stat(p, &st) == nil {
			total += st.Blocks * 512
		}
		return nil
	})
	return total
}
