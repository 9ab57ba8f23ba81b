package test

import "context"

// NodeCPUMap implements virt.NodeCPUMapper as libvirt's test node does: a
// map of cpuMapWidth CPUs (the width vCPU affinity maps are shown at) of
// which CPUs 0, 2 and 4 are online.
func (c *conn) NodeCPUMap(ctx context.Context) ([]bool, error) {
	m := make([]bool, cpuMapWidth)
	for _, i := range []int{0, 2, 4} {
		m[i] = true
	}
	return m, nil
}
