package test

import "context"

// NodeCPUMap implements virt.NodeCPUMapper: like libvirt's test node it
// reports a map of cpuMapWidth CPUs, all online, the width vCPU affinity
// maps are shown at.
func (c *conn) NodeCPUMap(ctx context.Context) ([]bool, error) {
	m := make([]bool, cpuMapWidth)
	for i := range m {
		m[i] = true
	}
	return m, nil
}
