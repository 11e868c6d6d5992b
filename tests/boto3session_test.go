package tests

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// boto3DriverScript runs boto3 calls, one JSON line per call on fd 3, and
// answers one JSON line per call on fd 4, so that a table of cases costs
// one Python start, not one per case. A call names a client and an
// operation:
//
//	s3, kms   getattr(client, op)(**params); Body in the answer is read
//	          and reported as its length and MD5
//	s3 upload_fileobj / download_fileobj   the transfer manager (s3transfer,
//	          as the aws CLI uses it), 5 MiB parts
//	presign   s3.generate_presigned_url(op, Params=params)
//	http      requests.request(method, url, headers, data): what a user
//	          does with a presigned URL
//
// Values {"$b64": "..."} in params are bytes. Errors come back as status,
// code and message, exactly as botocore parsed them.
const boto3DriverScript = `
import base64, hashlib, io, json, os, re, sys
import boto3, botocore.exceptions, requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

endpoint, ca = sys.argv[1], sys.argv[2]
verify = ca if ca else True
cfg = Config(s3={"addressing_style": "path"}, signature_version="s3v4", retries={"mode": "standard", "max_attempts": 3})
s3 = boto3.client("s3", endpoint_url=endpoint, verify=verify, config=cfg)
kms = boto3.client("kms", endpoint_url=endpoint, verify=verify, config=Config(retries={"mode": "standard", "max_attempts": 3}))
transfer = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, max_concurrency=2)

def decode(v):
    if isinstance(v, dict):
        if set(v) == {"$b64"}:
            return base64.b64decode(v["$b64"])
        return {k: decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v

def body(data):
    return {"len": len(data), "md5": hashlib.md5(data).hexdigest()}

def xml_field(text, name):
    m = re.search("<%s>(.*?)</%s>" % (name, name), text, re.S)
    return m.group(1) if m else ""

def run(call):
    kind, op, params = call["client"], call.get("op", ""), decode(call.get("params") or {})
    if kind == "presign":
        return {"url": s3.generate_presigned_url(op, Params=params, ExpiresIn=600)}
    if kind == "http":
        r = requests.request(call["method"], call["url"], headers=call.get("headers") or {},
                             data=decode(call.get("body")), verify=verify)
        out = {"status": r.status_code, "headers": {k.lower(): v for k, v in r.headers.items()}, "body": body(r.content)}
        if r.status_code >= 300:
            text = r.content.decode("utf-8", "replace")
            out["error"] = {"code": xml_field(text, "Code"), "message": xml_field(text, "Message")}
        return out
    if kind == "s3" and op == "upload_fileobj":
        s3.upload_fileobj(io.BytesIO(params.pop("Body")), params["Bucket"], params["Key"],
                          ExtraArgs=params.get("ExtraArgs"), Config=transfer)
        return {"status": 200}
    if kind == "s3" and op == "download_fileobj":
        buf = io.BytesIO()
        s3.download_fileobj(params["Bucket"], params["Key"], buf, ExtraArgs=params.get("ExtraArgs"), Config=transfer)
        return {"status": 200, "body": body(buf.getvalue())}
    client = {"s3": s3, "kms": kms}[kind]
    try:
        resp = getattr(client, op)(**params)
    except botocore.exceptions.ClientError as e:
        meta = e.response.get("ResponseMetadata", {})
        err = e.response.get("Error", {})
        return {"status": meta.get("HTTPStatusCode", 0), "headers": meta.get("HTTPHeaders", {}),
                "error": {"code": err.get("Code", ""), "message": err.get("Message", "")}}
    meta = resp.pop("ResponseMetadata", {})
    out = {"status": meta.get("HTTPStatusCode", 0), "headers": meta.get("HTTPHeaders", {})}
    if "Body" in resp:
        out["body"] = body(resp.pop("Body").read())
    out["response"] = resp
    return out

requests_in, replies = os.fdopen(3, "r"), os.fdopen(4, "w")
for line in requests_in:
    try:
        out = run(json.loads(line))
    except Exception as e:
        out = {"exception": "%s: %s" % (type(e).__name__, e)}
    replies.write(json.dumps(out, default=str) + "\n")
    replies.flush()
`

// boto3Session is boto3 pointed at one endpoint (trusting caPath for
// HTTPS), kept running in one Python process for the whole test.
type boto3Session struct{ driver *pyDriver }

// boto3Bytes is a bytes parameter (Body), sent as {"$b64": ...}.
type boto3Bytes []byte

func (b boto3Bytes) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"$b64": base64.StdEncoding.EncodeToString(b)})
}

// boto3Call is one request to the driver (see boto3DriverScript).
type boto3Call struct {
	Client  string            `json:"client"`
	Op      string            `json:"op,omitempty"`
	Params  map[string]any    `json:"params,omitempty"`
	Method  string            `json:"method,omitempty"`
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    boto3Bytes        `json:"body,omitempty"`
}

// boto3Result is what the driver answered: the HTTP status and headers
// (lower-case names), the parsed response, the body read, or the error.
type boto3Result struct {
	Status    int               `json:"status"`
	Headers   map[string]string `json:"headers"`
	Response  map[string]any    `json:"response"`
	Body      *boto3Body        `json:"body"`
	Error     *boto3Error       `json:"error"`
	URL       string            `json:"url"`
	Exception string            `json:"exception"`
}

type boto3Body struct {
	Len int    `json:"len"`
	MD5 string `json:"md5"`
}

type boto3Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// str returns a string field of the parsed response ("" if absent).
func (r boto3Result) str(name string) string {
	s, _ := r.Response[name].(string)
	return s
}

func newBoto3Session(t *testing.T, endpoint, caPath string) *boto3Session {
	t.Helper()
	env := append(cleanAWSEnv(), "AWS_ACCESS_KEY_ID="+rootAccessKey, "AWS_SECRET_ACCESS_KEY="+rootSecretKey,
		"AWS_DEFAULT_REGION="+testRegion)
	return &boto3Session{driver: startPyDriver(t, "boto3", boto3DriverScript, env, endpoint, caPath)}
}

// do sends one call; a Python exception (not an S3 error) fails the test.
func (b *boto3Session) do(t *testing.T, call boto3Call) boto3Result {
	t.Helper()
	var r boto3Result
	b.driver.call(t, call, &r)
	if r.Exception != "" {
		t.Fatalf("boto3 %s %s: %s", call.Client, call.Op, r.Exception)
	}
	return r
}

// s3 calls an S3 operation (snake_case, as boto3 names it).
func (b *boto3Session) s3(t *testing.T, op string, params map[string]any) boto3Result {
	t.Helper()
	return b.do(t, boto3Call{Client: "s3", Op: op, Params: params})
}

// ok calls an S3 operation that must succeed.
func (b *boto3Session) ok(t *testing.T, op string, params map[string]any) boto3Result {
	t.Helper()
	r := b.s3(t, op, params)
	if r.Error != nil {
		t.Fatalf("%s %v: %d %s: %s", op, redactParams(params), r.Status, r.Error.Code, r.Error.Message)
	}
	return r
}

// presign returns a SigV4 presigned URL for op with params.
func (b *boto3Session) presign(t *testing.T, op string, params map[string]any) string {
	t.Helper()
	return b.do(t, boto3Call{Client: "presign", Op: op, Params: params}).URL
}

// redactParams drops key material from params before they are printed.
func redactParams(params map[string]any) map[string]any {
	out := make(map[string]any, len(params))
	for k, v := range params {
		switch {
		case strings.HasSuffix(k, "SSECustomerKey"):
			out[k] = "(redacted)"
		case k == "Body":
			out[k] = "(body)"
		default:
			out[k] = v
		}
	}
	return out
}
