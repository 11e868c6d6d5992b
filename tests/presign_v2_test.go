package tests

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// presignV2Script presigns with boto3's default configuration: with a
// custom endpoint in us-east-1, botocore presigns with Signature Version 2
// (AWSAccessKeyId, Signature, Expires). The URLs are used with urllib only.
const presignV2Script = `
import base64, hashlib, os, time, urllib.error, urllib.parse, urllib.request
import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["COFFER_ENDPOINT"])  # default configuration
s3.create_bucket(Bucket="v2-bucket")

def v2(url):
    assert "AWSAccessKeyId=" in url and "X-Amz-" not in url, "not a SigV2 URL: " + url
    return url

def refused(req, status, code):
    try:
        urllib.request.urlopen(req)
    except urllib.error.HTTPError as e:
        body = e.read()
        assert e.code == status and code in body, (e.code, body)
        return
    raise SystemExit("request was accepted: %s" % req.full_url)

# GET
data = os.urandom(300000)
s3.put_object(Bucket="v2-bucket", Key="dir/get me+.bin", Body=data)
url = v2(s3.generate_presigned_url("get_object", Params={"Bucket": "v2-bucket", "Key": "dir/get me+.bin"}))
with urllib.request.urlopen(url) as resp:
    assert resp.read() == data
    assert resp.headers["x-amz-server-side-encryption"] == "AES256"
print("GET_URL", url)
print("GET_SHA256", hashlib.sha256(data).hexdigest())

# PUT. urllib sends "Content-Type: application/x-www-form-urlencoded" with
# any body unless told otherwise; SigV2 signs Content-Type, so the uploader
# sends what was signed: nothing here (S3 behaves the same).
up = os.urandom(200000)
url = v2(s3.generate_presigned_url("put_object", Params={"Bucket": "v2-bucket", "Key": "uploaded.bin"}))
refused(urllib.request.Request(url, data=up, method="PUT"), 403, b"SignatureDoesNotMatch")
with urllib.request.urlopen(urllib.request.Request(url, data=up, method="PUT", headers={"Content-Type": ""})) as resp:
    assert resp.status == 200, resp.status
    assert resp.headers["ETag"].strip('"') == hashlib.md5(up).hexdigest()
g = s3.get_object(Bucket="v2-bucket", Key="uploaded.bin")
assert g["Body"].read() == up
assert g["ServerSideEncryption"] == "AES256"

# PUT with a signed Content-Type: botocore carries it in the query too.
url = v2(s3.generate_presigned_url("put_object", Params={"Bucket": "v2-bucket", "Key": "typed.txt", "ContentType": "text/plain"}))
with urllib.request.urlopen(urllib.request.Request(url, data=b"hello v2", method="PUT", headers={"Content-Type": "text/plain"})) as resp:
    assert resp.status == 200, resp.status
g = s3.get_object(Bucket="v2-bucket", Key="typed.txt")
assert g["Body"].read() == b"hello v2" and g["ContentType"] == "text/plain", g

# refused: a tampered signature, an expired URL
url = v2(s3.generate_presigned_url("get_object", Params={"Bucket": "v2-bucket", "Key": "typed.txt"}))
base, query = url.split("?", 1)
params = urllib.parse.parse_qs(query)
sig = bytearray(base64.b64decode(params["Signature"][0]))
sig[0] ^= 1  # a well-formed signature that is wrong
params["Signature"] = [base64.b64encode(bytes(sig)).decode()]
refused(base + "?" + urllib.parse.urlencode(params, doseq=True), 403, b"SignatureDoesNotMatch")
url = v2(s3.generate_presigned_url("get_object", Params={"Bucket": "v2-bucket", "Key": "typed.txt"}, ExpiresIn=1))
time.sleep(2)
refused(url, 403, b"AccessDenied")
print("presign v2 ok")
`

func TestPresignV2(t *testing.T) {
	requireTool(t, "python")
	requireTool(t, "aws")
	s := startServer(t)

	t.Run("boto3", func(t *testing.T) {
		out := s.python(t, presignV2Script)
		if !strings.Contains(out, "presign v2 ok") {
			t.Fatalf("script did not finish:\n%s", out)
		}
		url, sum := scriptValue(t, out, "GET_URL"), scriptValue(t, out, "GET_SHA256")
		body, err := httpGet(url)
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(body); hex.EncodeToString(got[:]) != sum {
			t.Fatalf("Go GET of the boto3 URL: %d bytes, not the object", len(body))
		}
	})

	t.Run("aws s3 presign", func(t *testing.T) {
		data := bytes.Repeat([]byte("coffer presigned by the aws CLI\n"), 10000)
		file := filepath.Join(t.TempDir(), "cli.bin")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s.awsCLI(t, "s3", "mb", "s3://v2-cli")
		s.awsCLI(t, "s3", "cp", file, "s3://v2-cli/a dir/ü+1.bin")
		url := strings.TrimSpace(s.awsCLI(t, "s3", "presign", "s3://v2-cli/a dir/ü+1.bin", "--expires-in", "600"))
		if !strings.Contains(url, "AWSAccessKeyId=") || strings.Contains(url, "X-Amz-") {
			t.Fatalf("not a SigV2 URL: %s", url)
		}
		body, err := httpGet(url)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, data) {
			t.Fatalf("GET returned %d bytes, want %d", len(body), len(data))
		}
		if _, err := httpGet(strings.Replace(url, "/v2-cli/", "/v2-cli/other", 1)); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
			t.Fatalf("a URL for another key was not refused: %v", err)
		}
	})
}

// scriptValue finds the "NAME value" line a script printed.
func scriptValue(t *testing.T, out, name string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("script printed no %s:\n%s", name, out)
	return ""
}
