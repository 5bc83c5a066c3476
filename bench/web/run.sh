#!/usr/bin/env bash
# Benchmarks of the web family: nuclei engine start, and the whole template pack against 1 and
# against 100 loopback portals (bench/web/servers), as
#   1. Go benchmarks in this package (in-process: engine, runner, servers in one process), and
#   2. the telesra binary (`telesra scan --checks web`) next to the nuclei CLI built from the
#      same module version running the same templates, each measured by /usr/bin/time (wall time,
#      peak RSS), servers in their own process.
# The binary runs happen in a private network namespace with only loopback (unshare -n), so
# neither scanner can reach anything else whatever it tries; that needs root or user
# namespaces, and the script says so when it cannot.
#
# Targets: engine start < 1 s; 100 servers < 30 s and < 500 MB on 2 cores.
#
# Usage: bench/web/run.sh            (from anywhere; takes a few minutes)
set -euo pipefail

if [ "${1:-}" = "--measure" ]; then
	# Second stage, inside the network namespace: $2 is the work directory from the first.
	work=$2
	ip link set lo up
	measure() { # name, servers, command...
		local name=$1 n=$2
		shift 2
		coproc SERVERS { "$work/servers" -n "$n"; }
		local targets="$work/targets-$n.txt"
		: >"$targets"
		for _ in $(seq "$n"); do
			read -r url <&"${SERVERS[0]}"
			echo "$url" >>"$targets"
		done
		local home
		home=$(mktemp -d "$work/home.XXXX")
		set +e
		HOME=$home /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err"
		local rc=$?
		set -e
		exec {SERVERS[1]}>&-
		wait "$SERVERS_PID" 2>/dev/null || true
		read -r secs kb <"$work/time"
		printf '%-28s %4d servers  %7.2f s  %6d MB peak RSS  exit %d  %s\n' "$name" "$n" "$secs" $((kb / 1024)) "$rc" "$(summary "$name")"
	}
	summary() {
		case $1 in
		telesra*) python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%d findings" % len(r["findings"]))' "$work/result.json" 2>/dev/null || echo "no result" ;;
		nuclei*) echo "$(wc -l <"$work/nuclei.txt") results" ;;
		esac
	}
	for n in 1 100; do
		measure "telesra scan --checks web" "$n" "$work/telesra" scan -q --checks web -f json -o "$work/result.json" \
			--targets-file "$work/targets-$n.txt" --rate 0 --workers 16
		if [ -x "$work/nuclei" ]; then
			# Plain output: nuclei's JSON writer cannot encode the nested info.metadata.telesra map.
			measure "nuclei CLI (same templates)" "$n" "$work/nuclei" -l "$work/targets-$n.txt" -t "$work/templates" \
				-duc -ni -nh -silent -nc -o "$work/nuclei.txt" -timeout 10 -retries 0 -rl 100000 -c 25 -bs 25
		fi
	done
	exit 0
fi

cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== build"
go build -o "$work/telesra" ./cmd/telesra
go build -o "$work/servers" ./bench/web/servers
cp -r templates/nuclei "$work/templates"
# The nuclei CLI does not build inside telesra's module (its command needs modules telesra does
# not), so it is built in a throwaway module pinned to the same nuclei version. NUCLEI=path skips
# the (slow, several minutes) build.
if [ -n "${NUCLEI:-}" ]; then
	cp "$NUCLEI" "$work/nuclei"
else
	nucleiVersion=$(go list -m -f '{{.Version}}' github.com/projectdiscovery/nuclei/v3)
	mkdir "$work/nucleicli"
	printf 'module nucleicli\n\ngo 1.26.0\n\nrequire github.com/projectdiscovery/nuclei/v3 %s\n' "$nucleiVersion" >"$work/nucleicli/go.mod"
	printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/projectdiscovery/nuclei/v3/cmd/nuclei"\n' >"$work/nucleicli/tools.go"
	cp go.sum "$work/nucleicli/"
	if ! (cd "$work/nucleicli" && go mod tidy && go build -o "$work/nuclei" github.com/projectdiscovery/nuclei/v3/cmd/nuclei) >"$work/nuclei-build.log" 2>&1; then
		echo "nuclei CLI does not build here:"
		tail -5 "$work/nuclei-build.log"
	fi
fi
[ -x "$work/nuclei" ] && echo "nuclei CLI: $("$work/nuclei" -version 2>&1 | grep -io 'engine version.*' | head -1)"

echo
echo "== Go benchmarks (in-process)"
go test -run '^$' -bench 'EngineStart' -benchtime 10x ./checks/web/ | grep -E '^Benchmark'
go test -run '^$' -bench 'Pack1Server' -benchtime 5x ./checks/web/ | grep -E '^Benchmark'
go test -run '^$' -bench 'Pack100Servers' -benchtime 2x ./checks/web/ | grep -E '^Benchmark'

echo
echo "== binaries (private network namespace, loopback only)"
if unshare -n true 2>/dev/null; then
	unshare -n "$0" --measure "$work"
elif unshare -rn true 2>/dev/null; then
	unshare -rn "$0" --measure "$work"
else
	echo "cannot create a network namespace (needs root or user namespaces): binary comparison skipped"
fi
