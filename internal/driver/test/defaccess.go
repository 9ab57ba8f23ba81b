package test

import (
	"strconv"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// This file is the only place that reaches into the fields of
// virtxml.Domain: the driver's view of a definition.

// memKiB converts a memory element to KiB.
func memKiB(m *virtxml.Memory) uint64 {
	if m == nil {
		return 0
	}
	scale, err := virtxml.ScaleUnit(m.Unit, 1024)
	if err != nil || scale == 1024 {
		return m.Value
	}
	return m.Value * scale / 1024
}

// memTotal is the domain's initial memory (<memory>) in KiB.
func memTotal(d *virtxml.Domain) uint64 { return memKiB(d.Memory) }

// setMemTotal sets <memory> to kib.
func setMemTotal(d *virtxml.Domain, kib uint64) {
	if d.Memory == nil {
		d.Memory = &virtxml.Memory{}
	}
	d.Memory.Value, d.Memory.Unit = kib, "KiB"
}

// memCurrent is the balloon size (<currentMemory>) in KiB; without one it
// is the initial memory, as libvirt's defaults make it.
func memCurrent(d *virtxml.Domain) uint64 {
	if d.CurrentMemory == nil {
		return memTotal(d)
	}
	return memKiB(d.CurrentMemory)
}

// setMemCurrent sets <currentMemory> to kib.
func setMemCurrent(d *virtxml.Domain, kib uint64) {
	if d.CurrentMemory == nil {
		d.CurrentMemory = &virtxml.Memory{}
	}
	d.CurrentMemory.Value, d.CurrentMemory.Unit = kib, "KiB"
}

// memHotplugMax is <maxMemory> in KiB, 0 when there is none.
func memHotplugMax(d *virtxml.Domain) uint64 {
	if d.MaxMemory == nil {
		return 0
	}
	scale, err := virtxml.ScaleUnit(d.MaxMemory.Unit, 1024)
	if err != nil || scale == 1024 {
		return d.MaxMemory.Value
	}
	return d.MaxMemory.Value * scale / 1024
}

// vcpusMax is the maximum vCPU count.
func vcpusMax(d *virtxml.Domain) uint32 {
	if d.VCPU == nil || d.VCPU.Value == 0 {
		return 1
	}
	return uint32(d.VCPU.Value)
}

// vcpusCurrent is the number of online vCPUs.
func vcpusCurrent(d *virtxml.Domain) uint32 {
	if d.VCPU == nil {
		return 1
	}
	if d.VCPU.Current != 0 && uint32(d.VCPU.Current) < vcpusMax(d) {
		return uint32(d.VCPU.Current)
	}
	return vcpusMax(d)
}

func ensureVCPU(d *virtxml.Domain) {
	if d.VCPU == nil {
		d.VCPU = &virtxml.VCPU{Placement: "static", Value: 1}
	}
}

// setVcpusCurrent sets the online vCPU count (n <= max).
func setVcpusCurrent(d *virtxml.Domain, n uint32) {
	ensureVCPU(d)
	if n == vcpusMax(d) {
		d.VCPU.Current = 0
		return
	}
	d.VCPU.Current = uint(n)
}

// setVcpusMax sets the maximum vCPU count, lowering the online count with it.
func setVcpusMax(d *virtxml.Domain, n uint32) {
	ensureVCPU(d)
	cur := vcpusCurrent(d)
	d.VCPU.Value = uint(n)
	if cur >= n {
		d.VCPU.Current = 0
	} else {
		d.VCPU.Current = uint(cur)
	}
}

// vcpuCPUSet is the host CPU set the vCPUs may run on ("" for all).
func vcpuCPUSet(d *virtxml.Domain) string {
	if d.VCPU == nil {
		return ""
	}
	return d.VCPU.CPUSet
}

// lifecycle action names.
const (
	actionDestroy       = "destroy"
	actionRestart       = "restart"
	actionPreserve      = "preserve"
	actionRenameRestart = "rename-restart"
)

// onPoweroff is the action on guest power-off (default destroy).
func onPoweroff(d *virtxml.Domain) string {
	if d.OnPoweroff == "" {
		return actionDestroy
	}
	return d.OnPoweroff
}

// onReboot is the action on guest reboot (default restart).
func onReboot(d *virtxml.Domain) string {
	if d.OnReboot == "" {
		return actionRestart
	}
	return d.OnReboot
}

// generatedIfnamePrefixes are the host device names libvirt treats as its
// own generated ones and drops from an inactive definition.
var generatedIfnamePrefixes = []string{"vnet", "macvtap", "macvlan"}

// generateIfnames gives every interface without a host device name the
// lowest free name "testnetN", as libvirt's test driver does at define and
// create time.
func generateIfnames(d *virtxml.Domain) {
	if d.Devices == nil {
		return
	}
	ifs := d.Devices.Interfaces
	for i := range ifs {
		if t := ifs[i].Target; t != nil {
			for _, p := range generatedIfnamePrefixes {
				if strings.HasPrefix(t.Dev, p) {
					t.Dev = ""
				}
			}
		}
	}
	used := make(map[string]bool, len(ifs))
	for i := range ifs {
		if t := ifs[i].Target; t != nil && t.Dev != "" {
			used[t.Dev] = true
		}
	}
	next := 0
	for i := range ifs {
		if t := ifs[i].Target; t != nil && t.Dev != "" {
			continue
		}
		var name string
		for {
			name = "testnet" + strconv.Itoa(next)
			next++
			if !used[name] {
				break
			}
		}
		used[name] = true
		if ifs[i].Target == nil {
			ifs[i].Target = &virtxml.InterfaceTarget{}
		}
		ifs[i].Target.Dev = name
	}
}
