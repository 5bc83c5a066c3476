#!/usr/bin/env bash
# Report writers on a 1,000-risk, 5,000-finding register, on 2 cores. Each benchmark runs in
# its own process so that its peak-MB (peak resident memory) is its own.
# Targets: BenchmarkPDF and BenchmarkXLSX each under 3 s/op and 300 peak-MB.
set -euo pipefail
cd "$(dirname "$0")"
go test -c -o /tmp/telesra-report-bench .
for b in PDF XLSX JSON OSCAL; do
  /tmp/telesra-report-bench -test.run '^$' -test.bench "^Benchmark$b\$" -test.benchtime "${BENCHTIME:-3x}" -test.cpu 2 | grep '^Benchmark'
done
