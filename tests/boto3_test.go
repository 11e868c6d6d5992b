package tests

import (
	"strings"
	"testing"
)

const boto3Script = `
import hashlib, os, sys, tempfile, urllib.request
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

s3 = boto3.client("s3", endpoint_url=os.environ["COFFER_ENDPOINT"],
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
s3.create_bucket(Bucket="boto-bucket")

# put_object with the default checksum (botocore sends one when supported)
body = os.urandom(300000)
r = s3.put_object(Bucket="boto-bucket", Key="plain.bin", Body=body)
assert r["ServerSideEncryption"] == "AES256", r
assert r["ETag"].strip('"') == hashlib.md5(body).hexdigest(), r
g = s3.get_object(Bucket="boto-bucket", Key="plain.bin", ChecksumMode="ENABLED")
assert g["Body"].read() == body
assert g["ServerSideEncryption"] == "AES256"

# explicit checksum algorithms round trip (CRC32C and CRC64NVME need botocore[crt],
# which is not installed; the Go SDK tests cover them)
for alg in ["CRC32", "SHA1", "SHA256"]:
    s3.put_object(Bucket="boto-bucket", Key="ck-" + alg, Body=body[:1000], ChecksumAlgorithm=alg)
    h = s3.head_object(Bucket="boto-bucket", Key="ck-" + alg, ChecksumMode="ENABLED")
    assert ("Checksum" + alg) in h, (alg, h)

# presigned PUT and GET with plain HTTP (no SDK on the wire)
data = b"presigned payload " * 1000
url = s3.generate_presigned_url("put_object", Params={"Bucket": "boto-bucket", "Key": "presigned.txt"}, ExpiresIn=300)
req = urllib.request.Request(url, data=data, method="PUT")
with urllib.request.urlopen(req) as resp:
    assert resp.status == 200, resp.status
url = s3.generate_presigned_url("get_object", Params={"Bucket": "boto-bucket", "Key": "presigned.txt"}, ExpiresIn=300)
with urllib.request.urlopen(url) as resp:
    assert resp.read() == data
    assert resp.headers["x-amz-server-side-encryption"] == "AES256"

# an expired presigned URL is refused
url = s3.generate_presigned_url("get_object", Params={"Bucket": "boto-bucket", "Key": "presigned.txt"}, ExpiresIn=1)
import time; time.sleep(2)
try:
    urllib.request.urlopen(url)
    raise SystemExit("expired URL was accepted")
except urllib.error.HTTPError as e:
    assert e.code == 403, e.code
    assert b"AccessDenied" in e.read()

# multipart through upload_file, then download_file
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, max_concurrency=4)
with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "src.bin")
    big = os.urandom(17 * 1024 * 1024 + 123)
    open(src, "wb").write(big)
    s3.upload_file(src, "boto-bucket", "multi.bin", Config=cfg)
    h = s3.head_object(Bucket="boto-bucket", Key="multi.bin")
    assert h["ETag"].strip('"').endswith("-4"), h["ETag"]
    assert h["ServerSideEncryption"] == "AES256"
    dst = os.path.join(d, "dst.bin")
    s3.download_file("boto-bucket", "multi.bin", dst, Config=cfg)
    assert open(dst, "rb").read() == big

# listing with pagination
for i in range(7):
    s3.put_object(Bucket="boto-bucket", Key="page/%02d" % i, Body=b"x")
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="boto-bucket", Prefix="page/", PaginationConfig={"PageSize": 3}):
    keys += [o["Key"] for o in page.get("Contents", [])]
assert keys == ["page/%02d" % i for i in range(7)], keys
print("boto3 ok")
`

func TestBoto3(t *testing.T) {
	requireTool(t, "python")
	s := startServer(t)
	if out := s.python(t, boto3Script); !strings.Contains(out, "boto3 ok") {
		t.Fatalf("boto3 script did not finish:\n%s", out)
	}
}
