package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/govirt/govirt/internal/rpc"
)

// runProxy relays stdin/stdout to a daemon's unix socket: what a remote
// client runs through ssh (libvirt's virt-ssh-helper and netcat do the
// same). The socket comes from --socket, or from URI: qemu:///session and
// test URIs of a non-root user go to the session daemon, the rest to the
// system daemon (under --root DIR when given).
func runProxy(args []string, stdin, stdout *os.File, stderr io.Writer) int {
	fs := flag.NewFlagSet("govirtd proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sock := fs.String("socket", "", "socket `path` to connect to")
	root := fs.String("root", "", "the node's root `DIR`")
	ro := fs.Bool("readonly", false, "use the read-only socket")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	path := *sock
	if path == "" {
		dir := rpc.SystemSocketDir(*root)
		if fs.NArg() > 0 && *root == "" {
			if u, err := url.Parse(fs.Arg(0)); err == nil && strings.TrimSuffix(u.Path, "/") == "/session" {
				dir = rpc.SessionSocketDir()
			}
		}
		name := rpc.SocketName
		if *ro {
			name = rpc.SocketROName
		}
		path = filepath.Join(dir, name)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		fmt.Fprintf(stderr, "govirtd proxy: %v\n", err)
		return 1
	}
	uc := c.(*net.UnixConn)
	go func() {
		io.Copy(uc, stdin)
		uc.CloseWrite()
	}()
	// The relay ends when the daemon hangs up.
	io.Copy(stdout, uc)
	stdout.Close()
	return 0
}
