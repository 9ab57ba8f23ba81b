package qemu

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// statusVersion is the format of status files.
const statusVersion = 1

// status is what the run folder keeps about a domain (NAME.status): for a
// running guest, everything needed to re-adopt it after the managing
// process died; for a stopped persistent one, why it stopped.
type status struct {
	Version int              `json:"version"`
	Name    string           `json:"name"`
	UUID    string           `json:"uuid"`
	State   virt.DomainState `json:"state"`
	Reason  int              `json:"reason"`

	// The rest is set while the guest runs.
	ID        int32  `json:"id,omitempty"`
	PID       int    `json:"pid,omitempty"`
	StartTime uint64 `json:"startTime,omitempty"`
	Monitor   string `json:"monitor,omitempty"`
	LogOffset int64  `json:"logOffset,omitempty"`
	// Ptys maps chardev aliases to their pseudo-terminals; VNCPorts are the
	// ports chosen for autoport graphics, in order. The parser drops both
	// from the XML, as libvirt's does from inactive definitions.
	Ptys     map[string]string `json:"ptys,omitempty"`
	VNCPorts []int             `json:"vncPorts,omitempty"`
	// Taps maps interface aliases to the tap devices the driver created
	// (the parser drops their automatic names too).
	Taps map[string]string `json:"taps,omitempty"`
	// XML is the running definition.
	XML string `json:"xml,omitempty"`
}

// writeStatus stores the status of d (running or not). The caller holds
// d.mu. sync makes the write durable (fsync of the file and its folder);
// without it the content still survives the managing process, which is
// what recovery needs, and the state it records is checked against QEMU
// at recovery anyway.
func (n *node) writeStatus(d *domain, sync bool) error {
	st, err := n.statusOf(d)
	if err != nil {
		return err
	}
	return n.storeStatus(d.name, st, sync)
}

// statusOf captures the status of d. The caller holds d.mu.
func (n *node) statusOf(d *domain) (*status, error) {
	st := &status{Version: statusVersion, Name: d.name, UUID: d.uuid.String(), State: d.state, Reason: d.reason}
	if p := d.proc; p != nil && d.live != nil {
		st.ID, st.PID, st.StartTime, st.LogOffset = d.id, p.pid, p.startTime, p.logOffset
		st.Monitor = n.paths.monitorSocket(d.uuid.String())
		st.Ptys = make(map[string]string, len(p.ptys))
		for k, v := range p.ptys {
			st.Ptys[k] = v
		}
		for _, g := range d.live.Devices.Graphics {
			port := 0
			if g.Port != nil {
				port = *g.Port
			}
			st.VNCPorts = append(st.VNCPorts, port)
		}
		st.Taps = tapsOf(d.live)
		b, err := d.live.Format(virtxml.FormatSecure | virtxml.FormatNamespaces)
		if err != nil {
			return nil, fmt.Errorf("format status of %s: %w", d.name, err)
		}
		st.XML = string(b)
	}
	return st, nil
}

// storeStatus writes a status file atomically (temporary file, rename).
func (n *node) storeStatus(name string, st *status, sync bool) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	path := n.paths.statusFile(name)
	if sync {
		return writeFileAtomic(path, b, 0o600)
	}
	tmp, err := os.CreateTemp(n.paths.run, "."+name+".status.tmp-")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// readStatus reads a status file.
func readStatus(path string) (*status, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var st status
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("status %s: %w", path, err)
	}
	if st.Version != statusVersion {
		return nil, fmt.Errorf("status %s: unknown version %d", path, st.Version)
	}
	return &st, nil
}

// applyLive puts back into a parsed running definition what the parser
// drops: pty paths and allocated VNC ports.
func applyLive(def *virtxml.Domain, ptys map[string]string, vnc []int) {
	setPtys(def, ptys)
	dv := def.Devices
	for i := range dv.Graphics {
		if i < len(vnc) && vnc[i] >= 5900 {
			p := vnc[i]
			dv.Graphics[i].Port = &p
		}
	}
}

// tapsOf returns the tap devices of a running definition's interfaces.
func tapsOf(def *virtxml.Domain) map[string]string {
	var taps map[string]string
	for _, ifc := range def.Devices.Interfaces {
		if ifc.Type == "network" && ifc.Target != nil && ifc.Target.Dev != "" && ifc.Alias != nil {
			if taps == nil {
				taps = map[string]string{}
			}
			taps[ifc.Alias.Name] = ifc.Target.Dev
		}
	}
	return taps
}

// setTaps records tap devices in a running definition (target dev).
func setTaps(def *virtxml.Domain, taps map[string]string) {
	for i := range def.Devices.Interfaces {
		ifc := &def.Devices.Interfaces[i]
		if ifc.Alias != nil && taps[ifc.Alias.Name] != "" {
			ifc.Target = &virtxml.InterfaceTarget{Dev: taps[ifc.Alias.Name]}
		}
	}
}

// setPtys records the pseudo-terminals of pty chardevs in a running
// definition, as libvirt shows them (<source path=...>, and tty= on
// consoles).
func setPtys(def *virtxml.Domain, ptys map[string]string) {
	set := func(c *virtxml.Chardev, console bool) {
		if c.Type != "pty" || c.Alias == nil {
			return
		}
		if path := ptys[c.Alias.Name]; path != "" {
			c.Sources = []virtxml.CharSource{{Path: path}}
			if console {
				c.TTY = path
			}
		}
	}
	dv := def.Devices
	for i := range dv.Serials {
		set(&dv.Serials[i], false)
	}
	for i := range dv.Consoles {
		set(&dv.Consoles[i], true)
	}
	for i := range dv.Channels {
		set(&dv.Channels[i], false)
	}
}
