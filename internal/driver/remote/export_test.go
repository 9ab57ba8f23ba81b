package remote

import (
	"net/url"
	"strings"
)

// DaemonURI exposes daemonURI to the tests.
func DaemonURI(u *url.URL) string {
	scheme, _, _ := strings.Cut(u.Scheme, "+")
	return daemonURI(scheme, u)
}
