package test

import (
	"sync"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// pool is a storage pool of the node.
type pool struct {
	name string
	uuid virt.UUID

	mu sync.Mutex
}

// loadPool adds a pool of a node description.
func (c *conn) loadPool(p virtxml.TestNodePool) error {
	return nil
}
