package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/govirt/govirt/virt"
)

// nodeinfoJSON is the stable JSON shape of "nodeinfo -o json".
type nodeinfoJSON struct {
	CPUModel       string `json:"cpu_model"`
	CPUs           uint32 `json:"cpus"`
	MHz            uint32 `json:"cpu_mhz"`
	Sockets        uint32 `json:"cpu_sockets"`
	CoresPerSocket uint32 `json:"cores_per_socket"`
	ThreadsPerCore uint32 `json:"threads_per_core"`
	NUMACells      uint32 `json:"numa_cells"`
	MemoryKiB      uint64 `json:"memory_kib"`
}

func cmdNodeinfo(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	info, err := s.conn.NodeInfo(s.ctx)
	if err != nil {
		return fail(err, "failed to get node information")
	}
	if asJSON {
		return s.printJSON(nodeinfoJSON{info.Model, info.CPUs, info.MHz, info.Sockets, info.Cores,
			info.Threads, info.Nodes, info.Memory})
	}
	s.printf("%-20s %s\n", "CPU model:", info.Model)
	s.printf("%-20s %d\n", "CPU(s):", info.CPUs)
	s.printf("%-20s %d MHz\n", "CPU frequency:", info.MHz)
	s.printf("%-20s %d\n", "CPU socket(s):", info.Sockets)
	s.printf("%-20s %d\n", "Core(s) per socket:", info.Cores)
	s.printf("%-20s %d\n", "Thread(s) per core:", info.Threads)
	s.printf("%-20s %d\n", "NUMA cell(s):", info.Nodes)
	s.printf("%-20s %d KiB\n", "Memory size:", info.Memory)
	return nil
}

func cmdNodecpumap(s *session, c *call) error {
	m, err := s.conn.NodeCPUMap(s.ctx)
	if err != nil {
		return fail(err, "Unable to get cpu map")
	}
	online := 0
	var b strings.Builder
	for _, on := range m {
		if on {
			online++
			b.WriteByte('y')
		} else {
			b.WriteByte('-')
		}
	}
	s.printf("%-15s %d\n", "CPUs present:", len(m))
	s.printf("%-15s %d\n", "CPUs online:", online)
	if c.has("pretty") {
		s.printf("%-15s %s\n", "CPU map:", formatCPUSet(m))
	} else {
		s.printf("%-15s %s\n", "CPU map:", b.String())
	}
	return nil
}

func cmdCapabilities(s *session, c *call) error {
	caps, err := s.conn.Capabilities(s.ctx)
	if err != nil {
		return fail(err, "failed to get capabilities")
	}
	s.printf("%s\n", caps)
	return nil
}

func cmdHostname(s *session, c *call) error {
	h, err := s.conn.Hostname(s.ctx)
	if err != nil {
		return fail(err, "failed to get hostname")
	}
	s.printf("%s\n", h)
	return nil
}

func cmdURI(s *session, c *call) error {
	s.printf("%s\n", s.conn.URI())
	return nil
}

// versionString writes major*1e6+minor*1e3+micro as "major.minor.micro".
func versionString(v uint64) string {
	return fmt.Sprintf("%d.%d.%d", v/1000000, v/1000%1000, v%1000)
}

func cmdVersion(s *session, c *call) error {
	lib := versionString(virt.LibVersion)
	s.printf("Compiled against library: libvirt %s\n", lib)
	s.printf("Using library: libvirt %s\n", lib)
	typ := s.conn.Type()
	s.printf("Using API: %s %s\n", typ, lib)
	hv, err := s.conn.Version(s.ctx)
	if err != nil {
		return fail(err, "failed to get the hypervisor version")
	}
	if hv == 0 {
		s.printf("Cannot extract running %s hypervisor version\n", typ)
	} else {
		s.printf("Running hypervisor: %s %s\n", typ, versionString(hv))
	}
	if c.has("daemon") {
		s.printf("Running against daemon: %s\n", versionString(s.conn.LibVersion()))
	}
	return nil
}

func cmdConnect(s *session, c *call) error {
	name, given, err := c.str("name")
	if err != nil {
		return err
	}
	if !given {
		name = s.connName
	}
	// Like virsh, once read-only the session stays so: a later connect
	// without --readonly keeps it.
	ro := s.readOnly || c.has("readonly")
	conn, err := s.open(name, ro)
	if err != nil {
		return err
	}
	s.close()
	s.conn, s.connName, s.readOnly = conn, name, ro
	return nil
}

func cmdQuit(s *session, c *call) error {
	s.interactive = false
	return nil
}

// shellQuote quotes an argument for a POSIX shell when it needs it.
func shellQuote(a string) string {
	if a == "" {
		return "''"
	}
	if !strings.ContainsAny(a, "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~") {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// xmlEscape escapes text for XML content or attributes.
func xmlEscape(a string) string {
	r := strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;", "'", "&apos;", "\"", "&quot;")
	return r.Replace(a)
}

func cmdEcho(s *session, c *call) error {
	shell, xml, split, toErr := c.has("shell"), c.has("xml"), c.has("split"), c.has("err")
	if err := exclusiveVars("shell", shell, "xml", xml); err != nil {
		return err
	}
	var b strings.Builder
	for i, a := range c.argv("string") {
		if i > 0 {
			b.WriteByte(' ')
		}
		pieces := []string{a}
		if split {
			pieces = splitComma(a)
		}
		for _, p := range pieces {
			if xml {
				p = xmlEscape(p)
			}
			if shell {
				p = shellQuote(p)
			}
			b.WriteString(p)
			if split {
				b.WriteByte('\n')
			}
		}
	}
	if toErr {
		s.errorf("%s", b.String())
		return nil
	}
	s.print(b.String())
	return nil
}

// workDir returns the session's current directory.
func (s *session) workDir() (string, error) {
	if s.cwd != "" {
		return s.cwd, nil
	}
	return os.Getwd()
}

// path resolves a file argument against the session's directory, which
// "cd" changes without touching the process's own.
func (s *session) path(p string) string {
	if s.cwd == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.cwd, p)
}

func cmdPwd(s *session, c *call) error {
	d, err := s.workDir()
	if err != nil {
		return fail(errNoCause, "pwd: cannot get current directory: %s", strerror(err))
	}
	s.printf("%s\n", d)
	return nil
}

func cmdCd(s *session, c *call) error {
	if !s.interactive {
		return fail(errNoCause, "cd: command valid only in interactive mode")
	}
	dir, ok, err := c.str("dir")
	if err != nil {
		return err
	}
	if !ok {
		dir = os.Getenv("HOME")
		if dir == "" {
			dir = "/"
		}
	}
	target := s.path(dir)
	if !filepath.IsAbs(target) {
		wd, err := os.Getwd()
		if err != nil {
			return fail(errNoCause, "cd: %s: %s", strerror(err), dir)
		}
		target = filepath.Join(wd, target)
	}
	st, err := os.Stat(target)
	if err != nil {
		return fail(errNoCause, "cd: %s: %s", strerror(err), dir)
	}
	if !st.IsDir() {
		return fail(errNoCause, "cd: %s: %s", "Not a directory", dir)
	}
	s.cwd = filepath.Clean(target)
	return nil
}
