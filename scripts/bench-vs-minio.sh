#!/usr/bin/env bash
# Side-by-side benchmark: Coffer (SSE-S3 on every object) against MinIO with
# SSE-S3 auto-encryption (a static KMS key), driven by the same load
# generator (`coffer bench`) in one run. Prints both servers' figures and the
# Coffer/MinIO ratios. Not part of CI: MinIO must be built first with
#   go install github.com/minio/minio@latest
# Usage: scripts/bench-vs-minio.sh [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."
conc=${1:-8}
minio=${MINIO_BIN:-$(go env GOPATH)/bin/minio}
[ -x "$minio" ] || { echo "MinIO not found at $minio (go install github.com/minio/minio@latest)"; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/coffer" ./cmd/coffer
export COFFER_ROOT_ACCESS_KEY=benchadmin COFFER_ROOT_SECRET_KEY=benchadmin-secret
"$work/coffer" serve --data-dir "$work/coffer-data" --listen 127.0.0.1:19000 --log-level warn >/dev/null 2>"$work/coffer.log" &
pids+=($!)
MINIO_ROOT_USER=benchadmin MINIO_ROOT_PASSWORD=benchadmin-secret \
MINIO_KMS_SECRET_KEY="bench-key:$(head -c 32 /dev/urandom | base64)" MINIO_KMS_AUTO_ENCRYPTION=on \
  "$minio" server --address 127.0.0.1:19001 --console-address 127.0.0.1:19002 "$work/minio-data" >"$work/minio.log" 2>&1 &
pids+=($!)
for port in 19000 19001; do
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/minio/health/live" >/dev/null 2>&1 && break
    curl -fsS "http://127.0.0.1:$port/_coffer/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
done

run() { # label port size objects
  "$work/coffer" bench --endpoint "http://127.0.0.1:$2" --access-key benchadmin --secret-key benchadmin-secret \
    --label "$1" --size "$3" --objects "$4" --concurrency "$conc" --ops put,get --json
}
results="$work/results.jsonl"
for spec in "64MiB 24" "1MiB 400" "4KiB 2000"; do
  set -- $spec
  run coffer 19000 "$1" "$2" >>"$results"
  run minio 19001 "$1" "$2" >>"$results"
done

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def fmt(n):
    for unit, m in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= m and n % m == 0: return f"{n // m}{unit}"
    return f"{n}B"
print(f"{'size':>6} {'op':>4} {'coffer MiB/s':>13} {'minio MiB/s':>12} {'coffer ops/s':>13} {'minio ops/s':>12} {'ratio':>6}  p99 ms (coffer/minio)")
by = {(r["label"], r["size"], r["op"]): r for r in rows}
for size in sorted({r["size"] for r in rows}, reverse=True):
    for op in ("put", "get"):
        c, m = by.get(("coffer", size, op)), by.get(("minio", size, op))
        if not c or not m: continue
        print(f"{fmt(size):>6} {op:>4} {c['mibPerSec']:13.1f} {m['mibPerSec']:12.1f} {c['opsPerSec']:13.1f} {m['opsPerSec']:12.1f} {c['opsPerSec']/m['opsPerSec']:6.2f}  {c['p99Ms']:.1f}/{m['p99Ms']:.1f}  errors {c['errors']}/{m['errors']}")
PY
