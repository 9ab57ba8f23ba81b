#!/usr/bin/env bash
# govirt's main job, end to end: build a small guest (Debian's kernel and
# busybox), define it from plain libvirt domain XML on qemu:///system, boot
# it under QEMU (TCG), show it running and what it printed on its serial
# console, then power it off through ACPI and remove it.
# Set URI to use another connection (default: qemu:///system for root,
# qemu:///session for other users).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
if [ "$(id -u)" = 0 ]; then uri=${URI:-qemu:///system}; else uri=${URI:-qemu:///session}; fi
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/govirt" ./cmd/govirt
eval "$(go run ./scripts/testguest)"
name=govirt-demo
log=/var/tmp/$name-$(id -u)-serial.log
rm -f "$log"
cat > "$bin/demo.xml" <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$KERNEL</kernel>
    <initrd>$INITRD</initrd>
    <cmdline>$CMDLINE</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'>
      <source path='$log'/>
    </serial>
  </devices>
</domain>
XML
g() { "$bin/govirt" -c "$uri" "$@"; }
# Leftovers of an interrupted run go first.
g destroy "$name" >/dev/null 2>&1 || true
g undefine "$name" >/dev/null 2>&1 || true
g define "$bin/demo.xml"
g start "$name"
printf 'Waiting for the guest to boot'
for _ in $(seq 1 120); do
  grep -q 'govirt-guest: booted' "$log" 2>/dev/null && break
  printf .; sleep 0.5
done
echo
g list --all
g dominfo "$name"
echo "The guest's serial console says:"
grep 'govirt-guest:' "$log" | sed 's/^.*govirt-guest:/  govirt-guest:/'
g shutdown "$name"
for _ in $(seq 1 40); do
  [ "$(g domstate "$name" | head -1)" = "shut off" ] && break
  sleep 0.25
done
g domstate "$name" --reason
grep 'govirt-guest: acpi' "$log" | sed 's/^.*govirt-guest:/  govirt-guest:/'
g undefine "$name"
