// Package native converts hypervisors' own guest configuration files to and
// from libvirt domain XML (*virtxml.Domain), as libvirt's
// virConnectDomainXMLFromNative and virConnectDomainXMLToNative do:
//
//   - Xen xm configs ("xen-xm"), the Python-syntax files of the old xm
//     toolstack, both ways (ParseXM, FormatXM);
//   - Xen xl configs ("xen-xl", xl.cfg(5)), both ways (ParseXL, FormatXL);
//   - VMware .vmx files ("vmware-vmx"), to domain XML only (ParseVMX).
//
// The xm/xl syntax is read by ParseConfig into a Config that keeps every
// entry, unknown ones and comments included, so a Config read and written
// back loses nothing; converting to a domain keeps what libvirt keeps.
//
// Parsing is strict: a problem is reported as a *virtxml.Error whose message
// names the line and the key at fault. Inputs are bounded (size, nesting,
// list length, numbers), so hostile files fail with a clear error instead of
// exhausting memory or time.
package native
