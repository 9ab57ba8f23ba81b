package test

import (
	"strings"

	"github.com/govirt/govirt/virt"
)

// x86Models are the x86 CPU models of libvirt 9.0's CPU map, in its
// order.
var x86Models = strings.Fields(`486 pentium pentium2 pentium3 pentiumpro coreduo n270 core2duo
qemu32 kvm32 cpu64-rhel5 cpu64-rhel6 qemu64 kvm64 Conroe Penryn Nehalem Nehalem-IBRS Westmere
Westmere-IBRS SandyBridge SandyBridge-IBRS IvyBridge IvyBridge-IBRS Haswell-noTSX
Haswell-noTSX-IBRS Haswell Haswell-IBRS Broadwell-noTSX Broadwell-noTSX-IBRS Broadwell
Broadwell-IBRS Skylake-Client Skylake-Client-IBRS Skylake-Client-noTSX-IBRS Skylake-Server
Skylake-Server-IBRS Skylake-Server-noTSX-IBRS Cascadelake-Server Cascadelake-Server-noTSX
Icelake-Client Icelake-Client-noTSX Icelake-Server Icelake-Server-noTSX Cooperlake Snowridge
athlon phenom Opteron_G1 Opteron_G2 Opteron_G3 Opteron_G4 Opteron_G5 EPYC EPYC-IBPB EPYC-Rome
EPYC-Milan Dhyana`)

// ppc64Models are the POWER CPU models of libvirt 9.0's CPU map.
var ppc64Models = []string{"POWER6", "POWER7", "POWER8", "POWER9", "POWER10", "POWERPC_e5500", "POWERPC_e6500"}

// knownArchs are the architecture names libvirt 9.0 knows (virArch).
var knownArchs = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range strings.Fields(`alpha armv6l armv7l armv7b aarch64 cris i686 ia64 lm32 m68k
microblaze microblazeel mips mipsel mips64 mips64el openrisc parisc parisc64 ppc ppcle ppc64
ppc64le ppcemb riscv32 riscv64 s390 s390x sh4 sh4eb sparc sparc64 unicore32 x86_64 xtensa
xtensaeb`) {
		m[a] = true
	}
	return m
}()

// cpuModels returns the CPU models libvirt knows for arch: none (any
// model is accepted) for the arm and s390 CPU drivers, an error for
// architectures without a CPU driver.
func cpuModels(arch string) ([]string, error) {
	if !knownArchs[arch] {
		return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "cannot find architecture %s", arch)
	}
	switch arch {
	case "i686", "x86_64":
		return append([]string(nil), x86Models...), nil
	case "ppc64", "ppc64le":
		return append([]string(nil), ppc64Models...), nil
	case "armv6l", "armv7l", "armv7b", "aarch64", "s390", "s390x":
		return []string{}, nil
	}
	return nil, virt.Errorf(virt.ErrNoSupport, virt.FromCPU, "'%s' architecture is not supported by CPU driver", arch)
}
