#!/usr/bin/env bash
# Measures the server's peak resident memory (VmHWM) while it stores and
# serves one big object (default 5 GiB), to show that memory per request
# stays constant whatever the object size. Not part of CI (it writes the
# object to disk twice over). Usage: scripts/memory-big-object.sh [SIZE]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-5GiB}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
go build -o "$work/coffer" ./cmd/coffer
export COFFER_ROOT_ACCESS_KEY=memadmin COFFER_ROOT_SECRET_KEY=memadmin-secret
"$work/coffer" serve --data-dir "$work/data" --listen 127.0.0.1:19010 --log-level warn >/dev/null 2>"$work/log" &
pid=$!
for _ in $(seq 100); do curl -fsS http://127.0.0.1:19010/_coffer/health/ready >/dev/null 2>&1 && break; sleep 0.1; done
echo "idle:      $(grep VmHWM /proc/$pid/status)"
"$work/coffer" bench --endpoint http://127.0.0.1:19010 --access-key memadmin --secret-key memadmin-secret \
  --size "$size" --objects 1 --concurrency 1 --ops put --cleanup=false --label put
echo "after PUT: $(grep VmHWM /proc/$pid/status)"
# GET the same object back: the bench's put phase used a unique prefix, so list it.
"$work/coffer" bench --endpoint http://127.0.0.1:19010 --access-key memadmin --secret-key memadmin-secret \
  --size "$size" --objects 1 --concurrency 1 --ops put,get,delete --label put+get
echo "after GET: $(grep VmHWM /proc/$pid/status)"
