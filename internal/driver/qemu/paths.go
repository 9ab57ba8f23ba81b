package qemu

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RootEnv names the environment variable that moves every state folder of
// the driver under one root (for tests): see the package documentation.
const RootEnv = "GOVIRT_ROOT"

// paths are the folders a driver instance keeps its state in.
type paths struct {
	// key identifies the state root: connections with the same key share
	// one node.
	key string
	// config holds persistent definitions (NAME.xml) and autostart links.
	config string
	// state holds save images (save/) and other lasting data.
	state string
	// run holds runtime status, pidfiles, monitor sockets and the lock.
	run string
	// cache holds probed capabilities.
	cache string
	// log holds each guest's QEMU log (NAME.log).
	log string
}

// systemPaths is the layout of qemu:///system under prefix ("" for /).
func systemPaths(prefix string) paths {
	if prefix == "" {
		prefix = "/"
	}
	j := func(p string) string { return filepath.Join(prefix, p, "govirt", "qemu") }
	return paths{
		key:    "system:" + prefix,
		config: j("etc"),
		state:  j("var/lib"),
		run:    j("run"),
		cache:  j("var/cache"),
		log:    j("var/log"),
	}
}

// sessionPaths is the layout of qemu:///session for the current user.
func sessionPaths() (paths, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return paths{}, fmt.Errorf("session folders: %w", err)
	}
	xdg := func(env, def string) string {
		if v := os.Getenv(env); v != "" && filepath.IsAbs(v) {
			return v
		}
		return filepath.Join(home, def)
	}
	config := filepath.Join(xdg("XDG_CONFIG_HOME", ".config"), "govirt", "qemu")
	data := filepath.Join(xdg("XDG_DATA_HOME", ".local/share"), "govirt", "qemu")
	cache := filepath.Join(xdg("XDG_CACHE_HOME", ".cache"), "govirt", "qemu")
	run := filepath.Join(cache, "run")
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" && filepath.IsAbs(rt) {
		run = filepath.Join(rt, "govirt", "qemu")
	}
	return paths{
		key:    "session:" + config,
		config: config,
		state:  data,
		run:    run,
		cache:  filepath.Join(cache, "capabilities"),
		log:    filepath.Join(cache, "log"),
	}, nil
}

// make creates the folders.
func (p paths) make() error {
	for _, d := range []string{p.config, filepath.Join(p.config, "autostart"), p.state,
		filepath.Join(p.state, "save"), p.run, p.cache, p.log} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create state folder: %w", err)
		}
	}
	return nil
}

func (p paths) defFile(name string) string { return filepath.Join(p.config, name+".xml") }
func (p paths) autostartLink(name string) string {
	return filepath.Join(p.config, "autostart", name+".xml")
}
func (p paths) statusFile(name string) string { return filepath.Join(p.run, name+".status") }
func (p paths) pidFile(name string) string    { return filepath.Join(p.run, name+".pid") }
func (p paths) logFile(name string) string    { return filepath.Join(p.log, name+".log") }
func (p paths) managedSaveFile(name string) string {
	return filepath.Join(p.state, "save", name+".save")
}
func (p paths) lockFile() string { return filepath.Join(p.run, "driver.lock") }

// monitorSocket is the QMP socket of the domain with uuid. UUIDs keep it
// short and free of odd characters, whatever the domain's name.
func (p paths) monitorSocket(uuid string) string {
	return filepath.Join(p.run, strings.ReplaceAll(uuid, "-", "")+".qmp")
}
