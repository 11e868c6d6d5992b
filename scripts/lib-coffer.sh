# Sourced by the bench scripts: builds coffer into $work and starts one
# server serving plain HTTP on $1 and HTTPS on $2 (the generated local CA,
# $work/data/tls/ca.pem) as root benchadmin, stopped when the script exits.
# Sets: work (a scratch dir, removed at exit), pid.
work=$(mktemp -d "${TMPDIR:-/tmp}/coffer-bench.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT

start_coffer() { # http-addr https-addr
  local http_addr=$1 https_addr=$2
  go build -o "$work/coffer" ./cmd/coffer
  export COFFER_ROOT_ACCESS_KEY=benchadmin COFFER_ROOT_SECRET_KEY=benchadmin-secret
  "$work/coffer" serve --data-dir "$work/data" --listen "$http_addr" --listen-tls "$https_addr" \
    --log-level warn >/dev/null 2>"$work/coffer.log" &
  pid=$!
  for _ in $(seq 150); do
    curl -fsS "http://$http_addr/_coffer/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$work/coffer.log"
  exit 1
}
