package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/govirt/govirt/internal/appliance"
)

// ApplianceMain runs `govirt appliance SUBCOMMAND ...`: the appliance
// builder, a mode of its own that cmd/govirt dispatches before the
// virsh-compatible parser (virsh has no command of that name, and the
// builder's options follow the supermin-like conventions, not virsh's).
// It returns the process exit status: for run, the command's own.
func ApplianceMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, applianceUsage)
		return 0
	}
	var err error
	code := 0
	switch args[0] {
	case "prepare":
		err = appliancePrepare(ctx, args[1:], stderr)
	case "build":
		err = applianceBuild(ctx, args[1:], stdout, stderr)
	case "run":
		code, err = applianceRun(ctx, args[1:], stdin, stdout, stderr)
	default:
		err = fmt.Errorf("unknown appliance command %q (prepare, build, run)", args[0])
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "govirt appliance %s: %v\n", args[0], err)
		return 1
	}
	return code
}

const applianceUsage = `Usage:
  govirt appliance prepare [options] -o DIR PKG...
      Resolve packages on this host and write an appliance description to DIR.
  govirt appliance build [options] DIR... -o OUT
      Build the described appliance into OUT (cached: only rebuilt when the
      description, the host's packages, its kernel or govirt changed).
  govirt appliance run [options] OUT -- CMD [ARG...]
      Boot the appliance under QEMU (TCG), run CMD inside, stream its output,
      exit with its status, power off.

Options of prepare:
  -o DIR              output folder (replaced atomically)
  --use-installed     take configuration files from the host even where edited
  --module NAME       add a kernel module (or glob) to the appliance (repeatable)
  --host-root DIR     read packages and files under DIR instead of /
  --backend NAME      dpkg or rpm (default: detected)

Options of build:
  -o OUT              output folder
  -f FORMAT           ext2 (kernel, initrd, root; default), initrd or chroot
  --kernel FILE       kernel image (default: the newest of the host; $GOVIRT_KERNEL)
  --modules-dir DIR   its modules (default: /lib/modules/VERSION; $GOVIRT_MODULES)
  --size SIZE         minimum size of the ext2 root (e.g. 512M, 4G)
  --force             rebuild even when up to date
  --host-root DIR, --backend NAME   as for prepare

Options of run:
  --disk PATH[:ro|:rw]  attach a disk, read-only unless :rw (repeatable);
                        the first is /dev/vdb (ext2) or /dev/vda (initrd)
  --memory MIB        guest memory (default 512)
  --uri URI           QEMU connection (default: a private qemu:///embed root)
  --env NAME=VALUE    environment of the command (repeatable)
  --timeout DURATION  give up after this long (default 10m), e.g. 90s
  --no-stdin          the command reads /dev/null, not govirt's standard input
  --debug             kernel and init messages on the console
  --console           print the console output to standard error afterwards
`

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// parseInterleaved parses flags that may come before, between or after
// positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("govirt appliance "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, applianceUsage) }
	return fs
}

func appliancePrepare(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("prepare", stderr)
	out := fs.String("o", "", "output folder")
	useInstalled := fs.Bool("use-installed", false, "")
	hostRoot := fs.String("host-root", "", "")
	backend := fs.String("backend", "", "")
	var mods multiFlag
	fs.Var(&mods, "module", "")
	pkgs, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("give the output folder with -o DIR")
	}
	if len(pkgs) == 0 {
		return fmt.Errorf("give the packages to put in the appliance")
	}
	return appliance.Prepare(ctx, pkgs, *out, appliance.PrepareOptions{
		Host:         appliance.Host{Root: *hostRoot, Backend: *backend},
		Progress:     stderr,
		UseInstalled: *useInstalled,
		Modules:      mods,
	})
}

// parseSize reads NUMBER[bKMG].
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	switch s[len(s)-1] {
	case 'b', 'B':
		s = s[:len(s)-1]
	case 'k', 'K':
		mult, s = 1<<10, s[:len(s)-1]
	case 'm', 'M':
		mult, s = 1<<20, s[:len(s)-1]
	case 'g', 'G':
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q (NUMBER[bKMG])", s)
	}
	return n * mult, nil
}

func applianceBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("build", stderr)
	out := fs.String("o", "", "")
	format := fs.String("f", "ext2", "")
	fs.StringVar(format, "format", "ext2", "")
	kernel := fs.String("kernel", "", "")
	modDir := fs.String("modules-dir", "", "")
	size := fs.String("size", "", "")
	force := fs.Bool("force", false, "")
	hostRoot := fs.String("host-root", "", "")
	backend := fs.String("backend", "", "")
	desc, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("give the output folder with -o OUT")
	}
	if len(desc) == 0 {
		return fmt.Errorf("give the appliance description (the folder prepare wrote)")
	}
	sz, err := parseSize(*size)
	if err != nil {
		return err
	}
	res, err := appliance.Build(ctx, desc, *out, appliance.BuildOptions{
		Host:     appliance.Host{Root: *hostRoot, Backend: *backend},
		Format:   *format,
		Kernel:   appliance.Kernel{Path: *kernel, Modules: *modDir},
		Size:     sz,
		Force:    *force,
		Progress: stderr,
	})
	if err != nil {
		return err
	}
	if res.UpToDate {
		fmt.Fprintf(stderr, "%s is up to date (checked in %v)\n", res.Out, res.Elapsed.Round(100_000))
	}
	return nil
}

func applianceRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	var cmd []string
	for i, a := range args {
		if a == "--" {
			cmd = args[i+1:]
			args = args[:i]
			break
		}
	}
	fs := newFlagSet("run", stderr)
	var disks, env multiFlag
	fs.Var(&disks, "disk", "")
	fs.Var(&disks, "a", "")
	mem := fs.Int("memory", 0, "")
	uri := fs.String("uri", "", "")
	debug := fs.Bool("debug", false, "")
	console := fs.Bool("console", false, "")
	timeout := fs.Duration("timeout", 0, "")
	noStdin := fs.Bool("no-stdin", false, "")
	fs.Var(&env, "env", "")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) != 1 {
		return 0, fmt.Errorf("give one appliance folder, then -- and the command")
	}
	if len(cmd) == 0 {
		return 0, fmt.Errorf("give the command after --")
	}
	o := appliance.RunOptions{URI: *uri, MemoryMiB: *mem, Env: env, Stdout: stdout, Stderr: stderr, Debug: *debug, Timeout: *timeout}
	if *console {
		o.Console = stderr
	}
	if !*noStdin && stdin != nil {
		o.Stdin = stdin
	}
	for _, d := range disks {
		disk := appliance.Disk{Path: d, ReadOnly: true}
		if i := strings.LastIndex(d, ":"); i > 0 && (d[i+1:] == "ro" || d[i+1:] == "rw") {
			disk.Path, disk.ReadOnly = d[:i], d[i+1:] == "ro"
		}
		o.Disks = append(o.Disks, disk)
	}
	res, err := appliance.Run(ctx, pos[0], cmd, o)
	if err != nil {
		return 0, err
	}
	return res.ExitCode, nil
}
