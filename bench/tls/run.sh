#!/usr/bin/env bash
# TLS benchmark: telesra's TLS scan against nmap (ssl-enum-ciphers, ssl-cert), sslscan and
# testssl on the same loopback endpoints (telesra with default flags first, fast flags second),
# many-host runs (63 and 250 addresses 127.0.2.x, one nginx) against nmap and a 1,000-endpoint
# run (time and peak RSS), a 200-endpoint scale run on one nginx, handshake
# counts per endpoint, and a run behind 25 ms of round-trip latency (netem in a network
# namespace when the kernel has it, userspace relays otherwise).
#
# Needs: go, nginx, openssl, nmap, sslscan, testssl (Debian: nginx-light openssl nmap sslscan
# testssl.sh). The latency run's netem needs root and sch_netem. Extra arguments go to the
# harness (go run ./bench/tls -h): e.g. -testssl-endpoints -1 to run testssl everywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="bench/results/tls-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
for tool in nginx openssl nmap sslscan testssl; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done
go build -o "$out/telesra" ./cmd/telesra
go build -o "$out/tlsbench" ./bench/tls
"$out/tlsbench" -telesra "$out/telesra" -out "$out" "$@" | tee "$out/report.txt"
