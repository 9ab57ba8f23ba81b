package native

// VMXOptions tunes the conversion of a .vmx file.
type VMXOptions struct {
	// DatacenterPath is the vCenter datacenter path the file comes from;
	// when set it is kept as <vmware:datacenterpath>.
	DatacenterPath string
	// FileName turns a file name of the .vmx into the path the domain
	// shows; nil uses DatastorePath.
	FileName func(name string, allowMissing bool) (string, error)
}

// ParseVMX converts a VMware .vmx file to a domain, as libvirt's
// vmware-vmx native format does.
func ParseVMX(data []byte, opts VMXOptions) (*Result, error) {
	return nil, errAt(codeUnsupported, 0, "", "vmx: not implemented yet")
}
