// Package testguest builds the small guest govirt's tests boot under QEMU
// with the appliance builder (internal/appliance): Debian's kernel (the
// host's, or linux-image-amd64 unpacked into the cache on hosts without
// one) and an initramfs holding busybox-static, the virtio and ACPI
// modules, and an init script of our own that reports on the serial
// console what the tests need to see (boot, ACPI power-down, disks, a
// memory token that must survive save/restore, a crash on request).
//
// The guest is built into a cache outside the repository ($GOVIRT_CACHE,
// else $XDG_CACHE_HOME/govirt, else ~/.cache/govirt) and rebuilt only when
// its description, the host's packages or the kernel change.
package testguest

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/govirt/govirt/internal/appliance"
)

// Guest is a built test guest.
type Guest struct {
	Kernel string // path of the kernel image
	Initrd string // path of the initramfs
	// Cmdline is the kernel command line the guest expects (serial console).
	Cmdline string
}

// Modules are the kernel modules loaded at boot, with their dependencies.
var Modules = []string{
	"virtio_pci", "virtio_blk", "virtio_net", "virtio_console", "virtio_balloon",
	"virtio_rng", "virtio_scsi", "sd_mod", "button", "evdev", "pvpanic_pci", "ext4",
}

// CacheDir returns the cache folder for built artefacts.
func CacheDir() string { return appliance.CacheDir() }

// Ensure returns the test guest, building it first if the cache lacks it
// or it is out of date. Concurrent callers (parallel test binaries) wait
// on a lock file.
func Ensure(ctx context.Context) (*Guest, error) {
	dir := filepath.Join(CacheDir(), "testguest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("test guest cache: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("test guest lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("test guest lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	// Leftovers of the builder this package had before the appliance one.
	for _, old := range []string{"vmlinuz", "initrd.gz", "stamp"} {
		os.Remove(filepath.Join(dir, old))
	}
	desc := filepath.Join(dir, "desc")
	if err := writeDescription(desc); err != nil {
		return nil, fmt.Errorf("test guest description: %w", err)
	}
	k, err := appliance.DebianKernel(ctx)
	if err != nil {
		return nil, fmt.Errorf("test guest kernel: %w", err)
	}
	out := filepath.Join(dir, "appliance")
	if _, err := appliance.Build(ctx, []string{desc}, out, appliance.BuildOptions{
		Format:  appliance.FormatInitrd,
		Kernel:  k,
		Modules: []string{}, // only the description's
		NoInit:  true,       // the description's /init script
	}); err != nil {
		return nil, fmt.Errorf("build test guest: %w (is busybox-static installed? see scripts/setup.sh)", err)
	}
	kernel, err := appliance.BootKernel(out)
	if err != nil {
		return nil, err
	}
	return &Guest{
		Kernel:  kernel,
		Initrd:  filepath.Join(out, "initrd"),
		Cmdline: "console=ttyS0 panic=-1 quiet loglevel=3",
	}, nil
}

// writeDescription writes the guest's appliance description: the package,
// the modules, and a base archive with the init script, acpid's
// configuration and /dev/console. Files are rewritten only when their
// content changes.
func writeDescription(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var base bytes.Buffer
	tw := tar.NewWriter(&base)
	epoch := time.Unix(0, 0)
	entries := []struct {
		h    tar.Header
		data string
	}{
		{tar.Header{Name: "./dev/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: "./dev/console", Typeflag: tar.TypeChar, Mode: 0o600, Devmajor: 5, Devminor: 1}, ""},
		{tar.Header{Name: "./init", Typeflag: tar.TypeReg, Mode: 0o755}, initScript},
		{tar.Header{Name: "./etc/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: "./etc/acpid.conf", Typeflag: tar.TypeReg, Mode: 0o644}, "PWRF powerdown\n"},
		{tar.Header{Name: "./etc/acpi/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: "./etc/acpi/powerdown", Typeflag: tar.TypeReg, Mode: 0o755}, "#!/bin/sh\necho 'govirt-guest: acpi powerdown' > /dev/ttyS0\nsync\npoweroff -f\n"},
		{tar.Header{Name: "./etc/udhcpc.script", Typeflag: tar.TypeReg, Mode: 0o755}, udhcpcScript},
	}
	for _, e := range entries {
		h := e.h
		h.ModTime = epoch
		h.Size = int64(len(e.data))
		if err := tw.WriteHeader(&h); err != nil {
			return err
		}
		if _, err := tw.Write([]byte(e.data)); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	files := map[string][]byte{
		"packages": []byte("busybox-static\n"),
		"modules":  []byte(strings.Join(Modules, "\n") + "\n"),
		"base.tar": base.Bytes(),
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
			continue
		}
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, p); err != nil {
			return err
		}
	}
	return nil
}

// initScript is the guest's /init. It reports on ttyS0 lines starting with
// "govirt-guest: " that tests wait for, and then serves a shell on ttyS0.
const initScript = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
kver=$(uname -r)
while read m; do insmod /lib/modules/$kver/$m 2>/dev/null; done < /etc/govirt/modules
say() { echo "govirt-guest: $*" > /dev/ttyS0; }
# A token kept in memory only: it survives save/restore, not a reboot.
token=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$token" > /tmp/token
# acpid scans /dev/input once: wait for devtmpfs to create the event nodes.
for i in 1 2 3 4 5 6 7 8 9 10; do
  [ "$(ls /sys/class/input | grep -c event)" = "$(ls /dev/input 2>/dev/null | grep -c event)" ] && break
  sleep 0.2
done
acpid -f -c /etc/acpi -a /etc/acpid.conf -p /tmp/acpid.pid -l /tmp/acpid.log &
for p in $(cat /proc/cmdline); do
  case "$p" in
    govirt.crash=*) (sleep "${p#govirt.crash=}"; say "crashing"; echo c > /proc/sysrq-trigger) & ;;
    govirt.poweroff=*) (sleep "${p#govirt.poweroff=}"; say "powering off"; poweroff -f) & ;;
  esac
done
say "booted token=$token disks=$(ls /sys/block | tr '\n' ' ')"
# Networking on request: a DHCP lease on eth0 (govirt.dhcp=1, sending the
# host name of govirt.hostname=NAME), then pings to a peer until one
# answers (govirt.ping=ADDRESS). govirt.peek=DEV prints the printable
# part of the disk's first 64 bytes.
dhcp= peer= name=
for p in $(cat /proc/cmdline); do
  case "$p" in
    govirt.dhcp=1) dhcp=1 ;;
    govirt.hostname=*) name="${p#govirt.hostname=}" ;;
    govirt.ping=*) peer="${p#govirt.ping=}" ;;
    govirt.peek=*) d="${p#govirt.peek=}"; say "peek $d $(head -c 64 /dev/$d | tr -dc 'a-zA-Z0-9=._-')" ;;
  esac
done
if [ -n "$dhcp" ]; then
  (ip link set lo up; ip link set eth0 up
   if udhcpc -i eth0 -n -q -t 60 -T 1 -s /etc/udhcpc.script ${name:+-x hostname:$name} >/tmp/udhcpc.log 2>&1; then
     say "lease eth0 $(cat /tmp/lease)"
   else
     say "no lease on eth0"
   fi
   if [ -n "$peer" ]; then
     i=0
     while [ $i -lt 120 ]; do
       if ping -c 1 -W 1 "$peer" >/dev/null 2>&1; then say "ping $peer ok"; break; fi
       i=$((i+1))
     done
     [ $i -ge 120 ] && say "ping $peer failed"
   fi) &
fi
# Report disks as they come and go (hotplug).
(old=$(ls /sys/block | tr '\n' ' '); while sleep 0.5; do new=$(ls /sys/block | tr '\n' ' '); [ "$new" != "$old" ] && say "disks=$new"; old=$new; done) &
while true; do setsid cttyhack sh -l < /dev/ttyS0 > /dev/ttyS0 2>&1; done
`

// udhcpcScript configures eth0 from a lease and records the address.
const udhcpcScript = `#!/bin/sh
case "$1" in
  bound|renew)
    ifconfig "$interface" "$ip" netmask "$subnet" up
    [ -n "$router" ] && route add default gw "${router%% *}" dev "$interface"
    echo "$ip/$subnet router=${router%% *}" > /tmp/lease ;;
esac
exit 0
`
