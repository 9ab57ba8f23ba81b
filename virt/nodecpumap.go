package virt

import "context"

// NodeCPUMapper is implemented by drivers that report which host CPUs
// exist and are online (virNodeGetCPUMap).
type NodeCPUMapper interface {
	// NodeCPUMap returns one entry per host CPU, true where it is online.
	NodeCPUMap(ctx context.Context) ([]bool, error)
}

// NodeCPUMap returns one entry per host CPU, true where it is online. Its
// length is the CPU count that vCPU affinity maps cover.
func (c *Conn) NodeCPUMap(ctx context.Context) ([]bool, error) {
	m, ok := c.drv.(NodeCPUMapper)
	if !ok {
		return nil, c.noSupport(FromNone, "virNodeGetCPUMap")
	}
	return m.NodeCPUMap(ctx)
}
