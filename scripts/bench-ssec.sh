#!/usr/bin/env bash
# SSE-C throughput against the SSE-S3 default, on one server in one run:
# a single Coffer serving plain HTTP (--listen) and HTTPS (--listen-tls, the
# generated local CA), driven by `coffer bench` with 64 MiB objects:
#   http-sse-s3    plain HTTP, SSE-S3 (what every object gets by default)
#   https-sse-s3   HTTPS, SSE-S3 (the cost of TLS alone)
#   https-sse-c    HTTPS, SSE-C (a random key per bench run, sent on PUT and GET)
# The three run in turn, `rounds` times, so that drift on the machine hits
# all of them alike; the table shows each round and the median.
# Not part of CI. Usage: scripts/bench-ssec.sh [objects] [concurrency] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-16}
conc=${2:-4}
rounds=${3:-3}
size=64MiB

http_addr=127.0.0.1:19100
https_addr=127.0.0.1:19443
. scripts/lib-coffer.sh
start_coffer "$http_addr" "$https_addr"

run() { # label endpoint sse [extra bench flags...]
  local label=$1 endpoint=$2 sse=$3
  shift 3
  "$work/coffer" bench --endpoint "$endpoint" --access-key benchadmin --secret-key benchadmin-secret \
    --label "$label" --size "$size" --objects "$objects" --concurrency "$conc" --ops put,get --sse "$sse" --json "$@"
}
results="$work/results.jsonl"
for round in $(seq "$rounds"); do
  run http-sse-s3 "http://$http_addr" AES256 | sed "s/^{/{\"round\":$round,/" >>"$results"
  run https-sse-s3 "https://$https_addr" AES256 --ca-bundle "$work/data/tls/ca.pem" | sed "s/^{/{\"round\":$round,/" >>"$results"
  run https-sse-c "https://$https_addr" SSE-C --ca-bundle "$work/data/tls/ca.pem" | sed "s/^{/{\"round\":$round,/" >>"$results"
done

echo "coffer bench: $objects x $size per phase, concurrency $conc, $rounds rounds, $(nproc) CPUs"
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
labels = ["http-sse-s3", "https-sse-s3", "https-sse-c"]
rounds = sorted({r["round"] for r in rows})
print(f"{'op':>4} {'setup':>13} " + " ".join(f"{'round ' + str(n):>9}" for n in rounds) + f" {'median':>9} {'errors':>7}   (MiB/s)")
median = {}
for op in ("put", "get"):
    for label in labels:
        got = [r for r in rows if r["op"] == op and r["label"] == label]
        m = statistics.median(r["mibPerSec"] for r in got)
        median[(op, label)] = m
        print(f"{op:>4} {label:>13} " + " ".join(f"{r['mibPerSec']:9.1f}" for r in got) + f" {m:9.1f} {sum(r['errors'] for r in got):7d}")
for op in ("put", "get"):
    base = median[(op, "http-sse-s3")]
    print(f"{op}: https-sse-c / http-sse-s3 = {median[(op, 'https-sse-c')] / base:.2f}, https-sse-s3 / http-sse-s3 = {median[(op, 'https-sse-s3')] / base:.2f}")
PY
