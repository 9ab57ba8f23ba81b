package rpc

import (
	"os"
	"path/filepath"
)

// Socket file names of govirtd.
const (
	SocketName   = "govirt-sock"
	SocketROName = "govirt-sock-ro"
)

// SystemSocketDir is where the system daemon listens: root/run/govirt
// (root "" for the host's /run/govirt).
func SystemSocketDir(root string) string {
	return filepath.Join(root+"/", "run", "govirt")
}

// SessionSocketDir is where a user's session daemon listens:
// $XDG_RUNTIME_DIR/govirt, or ~/.cache/govirt/run without XDG_RUNTIME_DIR.
func SessionSocketDir() string {
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" && filepath.IsAbs(rt) {
		return filepath.Join(rt, "govirt")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	return filepath.Join(home, ".cache", "govirt", "run")
}
