#!/usr/bin/env bash
# `coffer cp` throughput of one file (default 1 GiB) with client-side
# encryption (KMS keyring on Coffer's KMS, format V2, AES-256-GCM) against
# the same file copied plainly with --sse AES256 (SSE-S3: the server
# encrypts), on one Coffer over HTTPS, in one run:
#   sse-s3   coffer cp FILE s3://bench/plain --sse AES256; and back
#   cse-kms  coffer cp FILE s3://bench/cse --cse-kms-key-id alias/bench; and back
# Each transfer is one process, timed from start to exit, so that it
# includes what a user waits for: the KMS call, multipart upload, and on
# download the fsync and rename after the tag is verified. Downloads are
# compared with the source (cmp). The cases run in turn, `rounds` times.
# Not part of CI. Usage: scripts/bench-cse.sh [size-MiB] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
rounds=${2:-1}

http_addr=127.0.0.1:19120
https_addr=127.0.0.1:19463
. scripts/lib-coffer.sh
start_coffer "$http_addr" "$https_addr"

# The client side: credentials from the environment, as a user has them.
export AWS_ACCESS_KEY_ID=benchadmin AWS_SECRET_ACCESS_KEY=benchadmin-secret AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$work/aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials" AWS_EC2_METADATA_DISABLED=true
conn=(--endpoint-url "https://$https_addr" --ca-bundle "$work/data/tls/ca.pem")
aws "${conn[@]}" s3api create-bucket --bucket bench >/dev/null
key=$(aws "${conn[@]}" kms create-key --description bench-cse --query KeyMetadata.KeyId --output text)
aws "${conn[@]}" kms create-alias --alias-name alias/bench --target-key-id "$key"

head -c "$((size_mib << 20))" /dev/urandom >"$work/src.bin"

# timed LABEL OP cmd...: runs cmd once, appends "LABEL OP start end".
timed() {
  local label=$1 op=$2
  shift 2
  local t0=$EPOCHREALTIME
  "$@"
  echo "$label $op $t0 $EPOCHREALTIME" >>"$work/times"
}
for round in $(seq "$rounds"); do
  timed sse-s3 upload "$work/coffer" cp "$work/src.bin" s3://bench/plain --sse AES256 "${conn[@]}"
  timed sse-s3 download "$work/coffer" cp s3://bench/plain "$work/plain.out" "${conn[@]}"
  cmp "$work/src.bin" "$work/plain.out"
  rm -f "$work/plain.out"
  timed cse-kms upload "$work/coffer" cp "$work/src.bin" s3://bench/cse --cse-kms-key-id alias/bench "${conn[@]}"
  timed cse-kms download "$work/coffer" cp s3://bench/cse "$work/cse.out" --cse-kms-key-id alias/bench "${conn[@]}"
  cmp "$work/src.bin" "$work/cse.out"
  rm -f "$work/cse.out"
done

echo "coffer cp, one ${size_mib} MiB file over HTTPS, part size 16 MiB, $rounds round(s), $(nproc) CPUs"
python3 - "$work/times" "$size_mib" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
mib = float(sys.argv[2])
print(f"{'setup':>8} {'op':>9} {'seconds':>9} {'MiB/s':>8}   (median of the rounds)")
med = {}
for label in ("sse-s3", "cse-kms"):
    for op in ("upload", "download"):
        secs = statistics.median(float(r[3]) - float(r[2]) for r in rows if r[0] == label and r[1] == op)
        med[(label, op)] = mib / secs
        print(f"{label:>8} {op:>9} {secs:9.2f} {mib / secs:8.1f}")
for op in ("upload", "download"):
    print(f"cse-kms/sse-s3 {op}: {med[('cse-kms', op)] / med[('sse-s3', op)]:.2f}")
PY
