package qemu

import (
	"path/filepath"

	"github.com/govirt/govirt/virtxml"
)

// efiBuilds are the UEFI (OVMF) builds firmware='efi' picks from, in
// order: code and variable-store template.
var efiBuilds = [][2]string{
	{"/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"},
	{"/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"},
	{"/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd"},
	{"/usr/share/qemu/OVMF_CODE.fd", "/usr/share/qemu/OVMF_VARS.fd"},
}

// findEFI returns the first installed UEFI build.
func findEFI() (code, vars string, ok bool) {
	for _, b := range efiBuilds {
		if exists(b[0]) && exists(b[1]) {
			return b[0], b[1], true
		}
	}
	return "", "", false
}

// needsFirmware reports whether def asks for firmware autoselection that
// has not been resolved into a loader.
func needsFirmware(def *virtxml.Domain) bool {
	os := def.OS
	return os != nil && os.Firmware == "efi" && (os.Loader == nil || os.Loader.Path == "")
}

// checkFirmware refuses firmware requests the driver cannot meet.
func checkFirmware(def *virtxml.Domain) error {
	o := def.OS
	if o == nil {
		return nil
	}
	switch o.Firmware {
	case "", "bios":
	case "efi":
		if o.FirmwareInfo != nil {
			for _, f := range o.FirmwareInfo.Features {
				if f.Enabled == "yes" {
					return unsupported("firmware feature '%s' is not supported", f.Name)
				}
			}
		}
		if needsFirmware(def) {
			if _, _, ok := findEFI(); !ok {
				return unsupported("firmware 'efi' needs OVMF, which is not installed (Debian package ovmf)")
			}
		}
	default:
		return unsupported("firmware '%s' is not supported", o.Firmware)
	}
	return nil
}

// selectFirmware resolves firmware='efi' into an OVMF loader and a
// variable store under the state folder (created from its template at
// start), as libvirt does in the running definition.
func selectFirmware(def *virtxml.Domain, stateDir string) error {
	if !needsFirmware(def) {
		return nil
	}
	code, vars, ok := findEFI()
	if !ok {
		return unsupported("firmware 'efi' needs OVMF, which is not installed (Debian package ovmf)")
	}
	def.OS.Loader = &virtxml.OSLoader{Readonly: "yes", Type: "pflash", Path: code}
	if def.OS.NVRAM == nil || def.OS.NVRAM.Path == "" {
		def.OS.NVRAM = &virtxml.OSNVRAM{Template: vars, Path: filepath.Join(stateDir, "nvram", def.Name+"_VARS.fd")}
	} else if def.OS.NVRAM.Template == "" {
		def.OS.NVRAM.Template = vars
	}
	return nil
}
