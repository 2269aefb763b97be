#!/usr/bin/env bash
# Installs the Debian packages ironlb's tests and lab use: the real BGP peers
# (BIRD 2, FRR, GoBGP, ExaBGP), nftables and iproute2 for the lab's network
# namespaces, and kubectl's stand-in only where kubectl is missing.
# Idempotent and quiet when everything is already there.
set -euo pipefail

packages=(bird2 frr gobgpd exabgp nftables iproute2 procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packaged daemons must not run as system services: the tests start their own.
for svc in bird frr; do
  $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
done
pkill -x bird >/dev/null 2>&1 || true
echo "system packages: done"
