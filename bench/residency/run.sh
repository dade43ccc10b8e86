#!/usr/bin/env bash
# Data residency: the storage exporter's residency block (one pass, a copy only of batches that mix
# regions) vs stock fan-out pipelines with a filter per region (a copy and a filter per region), on
# batches of 1024 spans from 16 resources. Lower bound for the fan-out: it also runs every
# processor once per region, not counted here. Usage: bench/residency/run.sh [count] [benchtime]
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOWORK=off
count=${1:-3} benchtime=${2:-1s}
out=$(mktemp)
go test ./exporter/telemetrystorageexporter/ -run TestFanOutFilterRoutesLikeRouter -bench BenchmarkResidency \
  -benchmem -count "$count" -benchtime "$benchtime" | tee "$out"
awk '
  /^BenchmarkResidency/ {
    name=$1; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkResidency\//, "", name)
    for (i = 2; i <= NF; i++) {
      if ($(i+1) == "ns/span") { ns[name] += $i; n[name]++ }
      if ($(i+1) == "B/op") { bytes[name] += $i }
    }
  }
  END {
    printf "\n%-40s %12s %12s\n", "case", "ns/span", "B/batch"
    for (k in ns) printf "%-40s %12.1f %12.0f\n", k, ns[k]/n[k], bytes[k]/n[k]
    split("regions=2/mixed=false regions=2/mixed=true regions=4/mixed=false regions=4/mixed=true", cs, " ")
    for (i in cs) { r = "Router/" cs[i]; f = "FanOutFilter/" cs[i]
      if (n[r] && n[f]) printf "%s: fan-out + filter costs %.1fx the router per span\n", cs[i], (ns[f]/n[f])/(ns[r]/n[r]) }
  }' "$out" | sort
rm -f "$out"
