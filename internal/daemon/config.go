// Package daemon is govirtd: it listens on libvirt's sockets (a read-write
// and a world-accessible read-only unix socket, optional TCP and TLS),
// applies the access rules of its libvirtd.conf-style configuration, runs
// client calls on a bounded worker pool and serves them with
// internal/rpc/server on whatever virt connections clients open.
package daemon

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is govirtd's configuration: libvirtd.conf's settings that apply,
// with libvirtd's names and defaults.
type Config struct {
	ListenTLS bool   // listen_tls (only with --listen)
	ListenTCP bool   // listen_tcp (only with --listen)
	TLSPort   string // tls_port, default "16514"
	TCPPort   string // tcp_port, default "16509"
	// ListenAddr is listen_addr, default "0.0.0.0".
	ListenAddr string

	UnixSockDir     string // unix_sock_dir
	UnixSockGroup   string // unix_sock_group
	UnixSockROPerms os.FileMode
	UnixSockRWPerms os.FileMode

	AuthUnixRO string // auth_unix_ro: only "none" is implemented
	AuthUnixRW string
	AuthTCP    string
	AuthTLS    string

	KeyFile  string // key_file
	CertFile string // cert_file
	CAFile   string // ca_file
	CRLFile  string // crl_file
	// TLSNoVerifyCertificate skips client certificate checks.
	TLSNoVerifyCertificate bool
	// TLSAllowedDNList holds glob patterns a client certificate's DN must
	// match (empty: any certificate the CA signed).
	TLSAllowedDNList []string

	MaxClients        int // max_clients, default 5000
	MaxWorkers        int // max_workers, default 20
	PrioWorkers       int // prio_workers, default 5
	MaxClientRequests int // max_client_requests, default 5

	KeepaliveInterval int // keepalive_interval seconds, default 5; -1 disables
	KeepaliveCount    int // keepalive_count, default 5

	// WriteTimeout drops a client that reads nothing for this long
	// (govirt's own client_write_timeout, seconds; default 30).
	WriteTimeout time.Duration
	// DefaultURI is what a client that names no URI gets (govirt's
	// default_uri; empty: refuse, as libvirtd does).
	DefaultURI string
}

// DefaultConfig returns libvirtd's defaults for a node whose files live
// under root ("" for /). Unix sockets are in root/run/govirt.
func DefaultConfig(root string) Config {
	return Config{
		TLSPort:           "16514",
		TCPPort:           "16509",
		ListenAddr:        "0.0.0.0",
		UnixSockDir:       joinRoot(root, "/run/govirt"),
		UnixSockROPerms:   0o777,
		UnixSockRWPerms:   0o700,
		AuthUnixRO:        "none",
		AuthUnixRW:        "none",
		AuthTCP:           "none",
		AuthTLS:           "none",
		KeyFile:           joinRoot(root, "/etc/pki/libvirt/private/serverkey.pem"),
		CertFile:          joinRoot(root, "/etc/pki/libvirt/servercert.pem"),
		CAFile:            joinRoot(root, "/etc/pki/CA/cacert.pem"),
		MaxClients:        5000,
		MaxWorkers:        20,
		PrioWorkers:       5,
		MaxClientRequests: 5,
		KeepaliveInterval: 5,
		KeepaliveCount:    5,
		WriteTimeout:      30 * time.Second,
	}
}

func joinRoot(root, p string) string {
	if root == "" {
		return p
	}
	return strings.TrimSuffix(root, "/") + p
}

// LoadConfig reads a configuration file over defaults.
func LoadConfig(path string, defaults Config) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return defaults, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	return ParseConfig(f, path, defaults)
}

// confValue is a parsed value: a string, an integer or a list of strings.
type confValue struct {
	str   string
	num   int64
	list  []string
	kind  byte // 's', 'n', 'l'
	line  int
	isSet bool
}

// ParseConfig reads libvirtd.conf syntax (name = value; "strings",
// integers, [ "lists" ], # comments) over defaults. Unknown settings are
// ignored, as libvirtd ignores settings of features it lacks; malformed
// lines and wrong value types are errors naming the line.
func ParseConfig(r io.Reader, name string, defaults Config) (Config, error) {
	vals, err := parseConf(r, name)
	if err != nil {
		return defaults, err
	}
	c := defaults
	var perr error
	str := func(key string, dst *string) {
		if v, ok := vals[key]; ok && perr == nil {
			if v.kind != 's' {
				perr = fmt.Errorf("%s:%d: %s: expected a string", name, v.line, key)
				return
			}
			*dst = v.str
		}
	}
	num := func(key string, dst *int) {
		if v, ok := vals[key]; ok && perr == nil {
			if v.kind != 'n' {
				perr = fmt.Errorf("%s:%d: %s: expected a number", name, v.line, key)
				return
			}
			*dst = int(v.num)
		}
	}
	boolean := func(key string, dst *bool) {
		n := -1
		num(key, &n)
		if n >= 0 {
			*dst = n != 0
		}
	}
	perms := func(key string, dst *os.FileMode) {
		s := ""
		str(key, &s)
		if s == "" || perr != nil {
			return
		}
		m, err := strconv.ParseUint(s, 8, 32)
		if err != nil {
			perr = fmt.Errorf("%s:%d: %s: %q is not an octal mode", name, vals[key].line, key, s)
			return
		}
		*dst = os.FileMode(m)
	}
	boolean("listen_tls", &c.ListenTLS)
	boolean("listen_tcp", &c.ListenTCP)
	str("tls_port", &c.TLSPort)
	str("tcp_port", &c.TCPPort)
	str("listen_addr", &c.ListenAddr)
	str("unix_sock_dir", &c.UnixSockDir)
	str("unix_sock_group", &c.UnixSockGroup)
	perms("unix_sock_ro_perms", &c.UnixSockROPerms)
	perms("unix_sock_rw_perms", &c.UnixSockRWPerms)
	str("auth_unix_ro", &c.AuthUnixRO)
	str("auth_unix_rw", &c.AuthUnixRW)
	str("auth_tcp", &c.AuthTCP)
	str("auth_tls", &c.AuthTLS)
	str("key_file", &c.KeyFile)
	str("cert_file", &c.CertFile)
	str("ca_file", &c.CAFile)
	str("crl_file", &c.CRLFile)
	boolean("tls_no_verify_certificate", &c.TLSNoVerifyCertificate)
	if v, ok := vals["tls_allowed_dn_list"]; ok && perr == nil {
		if v.kind != 'l' {
			perr = fmt.Errorf("%s:%d: tls_allowed_dn_list: expected a list", name, v.line)
		}
		c.TLSAllowedDNList = v.list
	}
	num("max_clients", &c.MaxClients)
	num("max_workers", &c.MaxWorkers)
	num("prio_workers", &c.PrioWorkers)
	num("max_client_requests", &c.MaxClientRequests)
	num("keepalive_interval", &c.KeepaliveInterval)
	num("keepalive_count", &c.KeepaliveCount)
	wt := -1
	num("client_write_timeout", &wt)
	if wt > 0 {
		c.WriteTimeout = time.Duration(wt) * time.Second
	}
	str("default_uri", &c.DefaultURI)
	if perr != nil {
		return defaults, perr
	}
	for _, a := range []struct{ key, val string }{
		{"auth_unix_ro", c.AuthUnixRO}, {"auth_unix_rw", c.AuthUnixRW}, {"auth_tcp", c.AuthTCP}, {"auth_tls", c.AuthTLS},
	} {
		if a.val != "none" {
			return defaults, fmt.Errorf("%s: %s = %q: only \"none\" is supported (govirtd has no SASL or polkit)", name, a.key, a.val)
		}
	}
	if c.MaxWorkers < 1 || c.MaxClientRequests < 1 || c.MaxClients < 1 {
		return defaults, fmt.Errorf("%s: max_workers, max_clients and max_client_requests must be at least 1", name)
	}
	return c, nil
}

func parseConf(r io.Reader, name string) (map[string]confValue, error) {
	vals := map[string]confValue{}
	sc := bufio.NewScanner(r)
	lineNo := 0
	var pending string // a list continued over lines
	pendingLine := 0
	for sc.Scan() {
		lineNo++
		line := stripComment(sc.Text())
		if pending != "" {
			pending += " " + line
			if !strings.Contains(line, "]") {
				continue
			}
			line, pending = pending, ""
		} else {
			pendingLine = lineNo
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected 'name = value'", name, lineNo)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if key == "" || strings.ContainsAny(key, " \t\"") {
			return nil, fmt.Errorf("%s:%d: bad setting name %q", name, lineNo, key)
		}
		if strings.HasPrefix(val, "[") && !strings.Contains(val, "]") {
			pending = line
			continue
		}
		v, err := parseConfValue(val)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", name, pendingLine, key, err)
		}
		v.line = pendingLine
		vals[key] = v
	}
	if pending != "" {
		return nil, fmt.Errorf("%s:%d: unterminated list", name, pendingLine)
	}
	return vals, sc.Err()
}

// stripComment removes a # comment that is not inside quotes.
func stripComment(s string) string {
	var q byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case q != 0 && c == q:
			q = 0
		case q == 0 && (c == '"' || c == '\''):
			q = c
		case q == 0 && c == '#':
			return s[:i]
		}
	}
	return s
}

func parseConfValue(s string) (confValue, error) {
	switch {
	case s == "":
		return confValue{}, fmt.Errorf("missing value")
	case s[0] == '"' || s[0] == '\'':
		str, rest, err := unquote(s)
		if err != nil {
			return confValue{}, err
		}
		if strings.TrimSpace(rest) != "" {
			return confValue{}, fmt.Errorf("unexpected %q after the string", rest)
		}
		return confValue{kind: 's', str: str}, nil
	case s[0] == '[':
		inner := strings.TrimSpace(s[1:])
		var list []string
		for {
			inner = strings.TrimLeft(inner, " \t,")
			if strings.HasPrefix(inner, "]") {
				if strings.TrimSpace(inner[1:]) != "" {
					return confValue{}, fmt.Errorf("unexpected text after the list")
				}
				return confValue{kind: 'l', list: list}, nil
			}
			if inner == "" {
				return confValue{}, fmt.Errorf("unterminated list")
			}
			str, rest, err := unquote(inner)
			if err != nil {
				return confValue{}, err
			}
			list = append(list, str)
			inner = rest
		}
	default:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return confValue{}, fmt.Errorf("%q is neither a number nor a quoted string", s)
		}
		return confValue{kind: 'n', num: n}, nil
	}
}

func unquote(s string) (string, string, error) {
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		return "", "", fmt.Errorf("expected a quoted string at %q", s)
	}
	end := strings.IndexByte(s[1:], s[0])
	if end < 0 {
		return "", "", fmt.Errorf("unterminated string")
	}
	return s[1 : 1+end], s[2+end:], nil
}
