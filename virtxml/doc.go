// Package virtxml holds libvirt's XML formats as Go types: domains, networks,
// storage pools and volumes, capabilities and the test driver's node
// description. Each format parses with libvirt's validation rules and
// messages, applies libvirt's defaults, and formats back in libvirt's
// canonical form (element order, units normalised, defaults spelled out).
//
// What a type does not model yet is kept as raw nodes (the Extra fields) and
// written back, so a round trip never silently loses data.
package virtxml

import "github.com/govirt/govirt/internal/xmldoc"

// Node is a raw XML element kept verbatim (unknown elements, metadata).
type Node = xmldoc.Node

// Attr is a raw XML attribute kept verbatim.
type Attr = xmldoc.Attr
