// Command rpc measures govirtd against libvirtd 9.0 with the same client,
// the real virsh, in one run, both daemons serving the test driver
// (test+unix:///default) from their own configuration and sockets under a
// temporary folder, both as the unprivileged user nobody (libvirtd then
// runs as a session daemon and never touches the host's instance):
//
//	go run ./bench/rpc [-n 20] [-domains 1000] [-pairs 300]
//
// It prints one line per figure:
//
//	RESULT rpc-version-floor ours=MS peer=MS ratio=OURS/PEER   virsh version (virsh's own fixed cost)
//	RESULT rpc-list-N ours=MS peer=MS ratio=...                 list --all latency minus the floor, N defined domains
//	RESULT rpc-define-undefine ours=OPS/s peer=OPS/s ratio=...  define and undefine calls per second of daemon time
//	RESULT rpc-getstate-direct ours=US peer=US ratio=...        one DOMAIN_GET_STATE round trip from a minimal client
//	RESULT rpc-startup ours=MS peer=MS ratio=...                daemon start to first answered call (warm)
//	RESULT rpc-rss ours=MiB peer=MiB ratio=...                  daemon RSS with the domains defined
//	RESULT rpc-qemu-... ...                                      the same with the QEMU drivers (definitions on disk)
//
// virsh's own work per call (~0.1 ms here, the same for both daemons) is
// part of every virsh figure; rpc-getstate-direct shows the daemons'
// share alone. govirtd is built as released: static (CGO_ENABLED=0) and
// stripped. libvirt-daemon is installed with apt-get when libvirtd is
// missing.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/client"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
)

const nobody = 65534

var (
	reps    = flag.Int("n", 20, "repetitions of each timed virsh command")
	domains = flag.Int("domains", 1000, "domains defined for the largest list")
	pairs   = flag.Int("pairs", 300, "define+undefine pairs for the throughput figure")
	starts  = flag.Int("starts", 5, "daemon starts timed")
)

// daemonKind knows how to run one daemon under dir.
type daemonKind struct {
	name  string
	start func(dir string) (*exec.Cmd, string, error) // returns the socket
}

type figures struct {
	floor    float64
	list     map[int]float64
	opsPerS  float64
	direct   float64
	startup  float64
	rssMiB   float64
	versions string
}

// driverCase is one driver both daemons serve: the URI each is asked for
// and the domain definitions used.
type driverCase struct {
	name     string
	peerURI  string // what libvirtd (a session daemon) serves
	oursURI  string // what govirtd serves under --root
	xmlDir   string
	holder   bool // test:///default: hold a connection so the node stays
	domains  int
	skipList bool
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench/rpc: ")
	flag.Parse()
	if os.Geteuid() != 0 {
		log.Fatal("run as root: the daemons run as the user nobody")
	}
	virsh, err := exec.LookPath("virsh")
	if err != nil {
		log.Fatal("virsh is required (scripts/setup.sh installs libvirt-clients)")
	}
	libvirtd := ensureLibvirtd()
	work, err := os.MkdirTemp("", "bench-rpc-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	os.Chmod(work, 0o755)
	govirtd := filepath.Join(work, "bin", "govirtd")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", govirtd, "./cmd/govirtd")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		log.Fatalf("build govirtd (run from the repository root): %v\n%s", err, out)
	}
	testXML := filepath.Join(work, "xml-test")
	writeDomains(testXML, "test", *domains+*pairs)
	qemuXML := filepath.Join(work, "xml-qemu")
	writeDomains(qemuXML, "qemu", *domains+*pairs)

	peer := daemonKind{name: "libvirtd", start: func(dir string) (*exec.Cmd, string, error) {
		run := filepath.Join(dir, "run")
		conf := filepath.Join(dir, "libvirtd.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf("unix_sock_dir = %q\nauth_unix_rw = \"none\"\nauth_unix_ro = \"none\"\nunix_sock_rw_perms = \"0777\"\n", run)), 0o644)
		cmd := exec.Command(libvirtd, "-f", conf)
		cmd.Env = sessionEnv(dir)
		return cmd, filepath.Join(run, "libvirt-sock"), nil
	}}
	ours := daemonKind{name: "govirtd", start: func(dir string) (*exec.Cmd, string, error) {
		conf := filepath.Join(dir, "govirtd.conf")
		os.WriteFile(conf, []byte("unix_sock_rw_perms = \"0777\"\n"), 0o644)
		cmd := exec.Command(govirtd, "--root", filepath.Join(dir, "node"), "-f", conf)
		cmd.Env = sessionEnv(dir)
		return cmd, filepath.Join(dir, "node", "run", "govirt", "govirt-sock"), nil
	}}

	cases := []driverCase{
		{name: "", peerURI: "test:///default", oursURI: "test:///default", xmlDir: testXML, holder: true, domains: *domains},
		{name: "qemu-", peerURI: "qemu:///session", oursURI: "qemu:///system", xmlDir: qemuXML, domains: *domains},
	}
	res := map[string]*figures{}
	kinds := []daemonKind{peer, ours}
	startups, err := measureStartups(kinds, work)
	if err != nil {
		log.Fatal(err)
	}
	for _, dc := range cases {
		fs, err := measure(kinds, work, virsh, dc)
		if err != nil {
			log.Fatal(err)
		}
		for i, k := range kinds {
			fs[i].startup = startups[i]
			res[dc.name+k.name] = fs[i]
		}
	}
	host, _ := os.Hostname()
	fmt.Printf("# %s, %s, %d CPUs, %s, %d repetitions, %d domains, %d define+undefine pairs\n",
		time.Now().Format("2006-01-02"), host, runtime.NumCPU(), res["libvirtd"].versions, *reps, *domains, *pairs)
	result := func(name string, ours, peer float64, unit string) {
		fmt.Printf("RESULT %s ours=%.2f%s peer=%.2f%s ratio=%.3f\n", name, ours, unit, peer, unit, ours/peer)
	}
	for _, dc := range cases {
		p, o := res[dc.name+"libvirtd"], res[dc.name+"govirtd"]
		if dc.name == "" {
			result("rpc-version-floor", o.floor, p.floor, "ms")
		}
		for _, n := range []int{0, 100, dc.domains} {
			result(fmt.Sprintf("rpc-%slist-%d", dc.name, n), o.list[n], p.list[n], "ms")
		}
		result("rpc-"+dc.name+"define-undefine", o.opsPerS, p.opsPerS, "ops/s")
		result("rpc-"+dc.name+"getstate-direct", o.direct, p.direct, "us")
		result("rpc-"+dc.name+"rss", o.rssMiB, p.rssMiB, "MiB")
		if dc.name == "" {
			result("rpc-startup", o.startup, p.startup, "ms")
		}
	}
}

// ensureLibvirtd returns libvirtd's path, installing libvirt-daemon when
// it is missing.
func ensureLibvirtd() string {
	for _, p := range []string{"/usr/sbin/libvirtd", "/usr/bin/libvirtd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	log.Print("installing libvirt-daemon for the peer daemon")
	for _, args := range [][]string{{"update", "-q"}, {"install", "-y", "-q", "--no-install-recommends", "libvirt-daemon"}} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("apt-get %v: %v\n%s", args, err, out)
		}
	}
	return "/usr/sbin/libvirtd"
}

// sessionEnv is a clean environment whose home and XDG folders are dir.
func sessionEnv(dir string) []string {
	return []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir, "XDG_RUNTIME_DIR=" + filepath.Join(dir, "xdg"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"), "XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"), "LANG=C"}
}

func writeDomains(dir, typ string, n int) {
	os.MkdirAll(dir, 0o755)
	arch := "arch='i686'"
	if typ == "qemu" {
		arch = "arch='x86_64' machine='pc'"
	}
	for i := 0; i < n; i++ {
		x := fmt.Sprintf("<domain type='%s'>\n  <name>bench-%d</name>\n  <uuid>%08x-0000-4000-8000-%012x</uuid>\n  <memory unit='KiB'>65536</memory>\n  <vcpu>1</vcpu>\n  <os>\n    <type %s>hvm</type>\n  </os>\n</domain>\n", typ, i, i, i, arch)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("d%d.xml", i)), []byte(x), 0o644)
	}
}

// instance is a running daemon.
type instance struct {
	cmd  *exec.Cmd
	sock string
	dir  string
	done chan error
}

func launch(k daemonKind, dir string) (*instance, time.Time, error) {
	for _, d := range []string{"run", "xdg", "config", "cache", "data", "node"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	cmd, sock, err := k.start(dir)
	if err != nil {
		return nil, time.Time{}, err
	}
	if err := chownAll(dir); err != nil {
		return nil, time.Time{}, err
	}
	logf, _ := os.Create(filepath.Join(dir, k.name+".log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, t0, err
	}
	in := &instance{cmd: cmd, sock: sock, dir: dir, done: make(chan error, 1)}
	go func() { in.done <- cmd.Wait(); logf.Close() }()
	return in, t0, nil
}

func chownAll(dir string) error {
	return filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, nobody, nobody)
	})
}

// stop ends the daemon by its pid and waits for it.
func (in *instance) stop() {
	in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.done:
	case <-time.After(15 * time.Second):
		in.cmd.Process.Kill()
		<-in.done
	}
}

// firstCall polls the socket until a connection answers CONNECT_OPEN and
// CONNECT_GET_VERSION, and returns when it did.
func firstCall(sock, uri string, in *instance) (time.Time, error) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-in.done:
			return time.Time{}, fmt.Errorf("daemon exited: %v (see %s)", err, in.dir)
		default:
		}
		nc, err := net.Dial("unix", sock)
		if err != nil {
			time.Sleep(time.Millisecond)
			continue
		}
		c := client.New(nc, client.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = c.Call(ctx, proto.ProcConnectOpen, &proto.ConnectOpenArgs{Name: &uri}, nil)
		if err == nil {
			err = c.Call(ctx, proto.ProcConnectGetVersion, nil, &proto.Uint64Ret{})
		}
		t := time.Now()
		c.Call(ctx, proto.ProcConnectClose, nil, nil)
		cancel()
		c.Close()
		if err == nil {
			return t, nil
		}
		time.Sleep(time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("no answer on %s", sock)
}

// measureStartups times daemon start to first answered call, the
// daemons taking turns. The first start of each fills caches (libvirtd
// probes QEMU); the figure is the median of the following warm starts.
func measureStartups(kinds []daemonKind, work string) ([]float64, error) {
	times := make([][]float64, len(kinds))
	for i := 0; i <= *starts; i++ {
		for j, k := range kinds {
			in, t0, err := launch(k, filepath.Join(work, k.name))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k.name, err)
			}
			t1, err := firstCall(in.sock, "test:///default", in)
			in.stop()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k.name, err)
			}
			if i > 0 {
				times[j] = append(times[j], ms(t1.Sub(t0)))
			}
		}
	}
	out := make([]float64, len(kinds))
	for j := range kinds {
		out[j] = median(times[j])
	}
	return out, nil
}

// side is one daemon under measurement.
type side struct {
	k       daemonKind
	in      *instance
	uri     string
	name    string
	f       *figures
	defined int
	base    int
	dc      driverCase
	virsh   string
}

func (s *side) run(args ...string) (time.Duration, string, error) {
	cmd := exec.Command(s.virsh, append([]string{"-c", s.uri}, args...)...)
	cmd.Dir = s.dc.xmlDir
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	return time.Since(t0), string(out), err
}

// defineUpTo defines bench-defined..upto-1 in one virsh run.
func (s *side) defineUpTo(upto int) error {
	var b strings.Builder
	for ; s.defined < upto; s.defined++ {
		fmt.Fprintf(&b, "define d%d.xml;", s.defined)
	}
	if b.Len() == 0 {
		return nil
	}
	if _, out, err := s.run(b.String()); err != nil {
		return fmt.Errorf("%s define: %v\n%s", s.k.name, err, out)
	}
	return nil
}

// interleaved times virsh args on every side in turn, reps times, and
// returns each side's median in ms: the daemons see the same background
// load.
func interleaved(sides []*side, args ...string) ([]float64, error) {
	ds := make([][]float64, len(sides))
	for r := 0; r < *reps; r++ {
		for i, s := range sides {
			d, out, err := s.run(args...)
			if err != nil {
				return nil, fmt.Errorf("%s: virsh %v: %v\n%s", s.k.name, args, err, out)
			}
			ds[i] = append(ds[i], ms(d))
		}
	}
	out := make([]float64, len(sides))
	for i := range sides {
		out[i] = median(ds[i])
	}
	return out, nil
}

func measure(kinds []daemonKind, work, virsh string, dc driverCase) ([]*figures, error) {
	var sides []*side
	for _, k := range kinds {
		name := dc.oursURI
		if k.name == "libvirtd" {
			name = dc.peerURI
		}
		in, _, err := launch(k, filepath.Join(work, k.name))
		if err != nil {
			return nil, err
		}
		defer in.stop()
		if _, err := firstCall(in.sock, name, in); err != nil {
			return nil, fmt.Errorf("%s: %w", k.name, err)
		}
		scheme, path, _ := strings.Cut(name, ":///")
		s := &side{k: k, in: in, name: name, uri: scheme + "+unix:///" + path + "?socket=" + in.sock,
			f: &figures{list: map[int]float64{}}, dc: dc, virsh: virsh}
		if dc.holder {
			// test:///default is fresh again once its last connection
			// closes: an interactive virsh holds one open meanwhile.
			holder := exec.Command(virsh, "-c", s.uri)
			hin, _ := holder.StdinPipe()
			holder.Stdout, holder.Stderr = io.Discard, io.Discard
			if err := holder.Start(); err != nil {
				return nil, err
			}
			defer func() { hin.Close(); holder.Wait() }()
		}
		sides = append(sides, s)
	}
	time.Sleep(300 * time.Millisecond)
	for _, s := range sides {
		_, out, err := s.run("version")
		if err != nil {
			return nil, fmt.Errorf("%s: virsh version: %v\n%s", s.k.name, err, out)
		}
		s.f.versions = strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
		_, out, _ = s.run("list", "--all", "--name")
		s.base = len(strings.Fields(out))
	}
	floors, err := interleaved(sides, "version")
	if err != nil {
		return nil, err
	}
	for i, s := range sides {
		s.f.floor = floors[i]
	}
	for _, n := range []int{0, 100, dc.domains} {
		for _, s := range sides {
			if err := s.defineUpTo(n); err != nil {
				return nil, err
			}
			_, out, _ := s.run("list", "--all", "--name")
			if got := len(strings.Fields(out)); got != n+s.base {
				return nil, fmt.Errorf("%s: list shows %d domains, want %d", s.k.name, got, n+s.base)
			}
		}
		lats, err := interleaved(sides, "list", "--all")
		if err != nil {
			return nil, err
		}
		for i, s := range sides {
			s.f.list[n] = lats[i] - s.f.floor
		}
	}
	for _, s := range sides {
		s.f.rssMiB = rss(s.in.cmd.Process.Pid)
	}
	for r := 0; r < 5; r++ {
		for _, s := range sides {
			us, err := directGetState(s.in.sock, s.name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.k.name, err)
			}
			if r == 0 || us < s.f.direct {
				s.f.direct = us
			}
		}
	}
	// define+undefine pairs in rounds, the daemons taking turns.
	const rounds = 5
	per := *pairs / rounds
	elapsed := make([]float64, len(sides))
	for r := 0; r < rounds; r++ {
		for i, s := range sides {
			var b strings.Builder
			for j := dc.domains + r*per; j < dc.domains+(r+1)*per; j++ {
				fmt.Fprintf(&b, "define d%d.xml; undefine bench-%d;", j, j)
			}
			d, out, err := s.run(b.String())
			if err != nil {
				return nil, fmt.Errorf("%s: define/undefine: %v\n%s", s.k.name, err, out)
			}
			elapsed[i] += ms(d) - s.f.floor
		}
	}
	out := make([]*figures, len(sides))
	for i, s := range sides {
		s.f.opsPerS = float64(2*per*rounds) / (elapsed[i] / 1000)
		// Leave the node as found: a persistent driver keeps definitions.
		var u strings.Builder
		for j := 0; j < dc.domains; j++ {
			fmt.Fprintf(&u, "undefine bench-%d;", j)
		}
		if _, o, err := s.run(u.String()); err != nil {
			return nil, fmt.Errorf("%s: undefine: %v\n%s", s.k.name, err, o)
		}
		out[i] = s.f
	}
	return out, nil
}

// directGetState times DOMAIN_GET_STATE round trips from a minimal
// synchronous client (one write, one read, no goroutines) and returns the
// median in microseconds: the daemon's share of each call virsh makes.
func directGetState(sock, name string) (float64, error) {
	nc, err := net.Dial("unix", sock)
	if err != nil {
		return 0, err
	}
	c := client.New(nc, client.Options{})
	ctx := context.Background()
	if err := c.Call(ctx, proto.ProcConnectOpen, &proto.ConnectOpenArgs{Name: &name}, nil); err != nil {
		c.Close()
		return 0, err
	}
	var dom proto.DomainRet
	if err := c.Call(ctx, proto.ProcDomainLookupByName, &proto.NameArgs{Name: "bench-50"}, &dom); err != nil {
		c.Close()
		return 0, err
	}
	c.Close()
	// A second connection, driven by hand.
	raw, err := net.Dial("unix", sock)
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	call := func(serial uint32, proc proto.Proc, args proto.Encoder) ([]byte, error) {
		buf := rpc.AppendHeader(nil, rpc.Header{Prog: rpc.ProgRemote, Vers: 1, Proc: int32(proc), Serial: serial})
		if args != nil {
			e := xdr.NewEncoder(buf)
			args.EncodeXDR(e)
			buf = e.Bytes()
		}
		if _, err := raw.Write(rpc.Finish(buf)); err != nil {
			return nil, err
		}
		body, err := rpc.ReadMessage(raw, nil, rpc.MaxMessage)
		if err != nil {
			return nil, err
		}
		if h, _ := rpc.ParseHeader(body); h.Status != rpc.OK {
			return nil, rpc.DecodeError(body[rpc.HeaderSize:])
		}
		return body, nil
	}
	if _, err := call(0, proto.ProcConnectOpen, &proto.ConnectOpenArgs{Name: &name}); err != nil {
		return 0, err
	}
	args := &proto.DomainFlagsArgs{Dom: dom.Dom}
	var ds []float64
	for i := 0; i < 2000; i++ {
		t0 := time.Now()
		if _, err := call(uint32(i+1), proto.ProcDomainGetState, args); err != nil {
			return 0, err
		}
		ds = append(ds, float64(time.Since(t0))/float64(time.Microsecond))
	}
	call(2001, proto.ProcConnectClose, nil)
	return median(ds), nil
}

func rss(pid int) float64 {
	fh, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(sc.Text())[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
