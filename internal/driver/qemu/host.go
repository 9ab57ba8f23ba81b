package qemu

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virt"
)

// hostNodeInfo reads the host's CPUs and memory from /proc.
func hostNodeInfo() (virt.NodeInfo, error) {
	info := virt.NodeInfo{Model: hostArch(), CPUs: uint32(runtime.NumCPU()), Nodes: 1, Sockets: 1, Threads: 1}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				fs := strings.Fields(v)
				if len(fs) > 0 {
					info.Memory, _ = strconv.ParseUint(fs[0], 10, 64)
				}
				break
			}
		}
		f.Close()
	}
	cores := map[string]bool{}
	sockets := map[string]bool{}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		phys := ""
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch k {
			case "cpu MHz":
				if info.MHz == 0 {
					mhz, _ := strconv.ParseFloat(v, 64)
					info.MHz = uint32(mhz)
				}
			case "physical id":
				phys = v
				sockets[v] = true
			case "core id":
				cores[phys+"/"+v] = true
			}
		}
		f.Close()
	}
	if len(sockets) > 0 {
		info.Sockets = uint32(len(sockets))
	}
	if len(cores) > 0 {
		info.Cores = uint32(len(cores)) / info.Sockets
		if info.Cores > 0 {
			info.Threads = info.CPUs / (info.Cores * info.Sockets)
		}
	}
	if info.Cores == 0 {
		info.Cores = info.CPUs
	}
	if info.Threads == 0 {
		info.Threads = 1
	}
	return info, nil
}
