// Package test is govirt's test driver: an in-memory hypervisor node with
// the semantics, state machine, values and errors of libvirt 9.0's test
// driver, behind the URIs test:///default and test:///ABSOLUTE/PATH.xml.
//
// All connections of a process to test:///default share one node, which
// is built afresh when the first of them opens and dropped when the last
// closes. Each connection to a node description file gets a private node
// loaded from that file (see virtxml.ParseTestNode for the format).
//
// Locking: the node's registry lock guards its name, UUID and ID indexes
// and is held only briefly; each domain, network and pool has its own lock.
// The order is object lock first, registry lock second: lookups take the
// registry lock, release it, then lock the object and check that it was not
// removed meanwhile.
package test
