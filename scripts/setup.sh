#!/usr/bin/env bash
# Installs what govirt's build, tests and benchmarks need on Debian 12.
# Run as root (or through sudo). Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(
  git ca-certificates
  libvirt-clients python3-libvirt   # the real virsh and python3-libvirt: our oracle and peer
  qemu-system-x86 qemu-utils        # real guests and images
  busybox-static fdisk mount        # appliance tests: packages to build appliances from
  rpm e2fsprogs xz-utils            # appliance tests: rpm backend (rpm, rpmbuild), e2fsck/debugfs, kernel payloads
  dnsmasq-base nftables iproute2    # virtual networks: DHCP/DNS, firewall rules, namespaces in tests
  lvm2                              # logical storage pools
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if ! command -v go >/dev/null && [ ! -x /usr/local/go/bin/go ]; then
  apt-get install -y -q golang-go
fi
