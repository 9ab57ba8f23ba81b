package driver

import (
	"net/url"
	"strings"
)

// URIPath returns the path of a driver URI such as test:///default or
// test:///tmp/node.xml, with %-escapes decoded. A URI whose path is empty
// or "/" gives "".
func URIPath(u *url.URL) string {
	p := u.Path
	if p == "" && u.Opaque != "" {
		// "test:/x" style URIs parse as opaque.
		p = u.Opaque
	}
	if p == "/" {
		return ""
	}
	return p
}

// IsLocal reports whether u names a node on this host reached without a
// transport: no "+transport" in the scheme and no host.
func IsLocal(u *url.URL) bool {
	return !strings.Contains(u.Scheme, "+") && u.Host == ""
}
