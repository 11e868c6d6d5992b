package sigv4

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vhostDomain is the base domain of the virtual-hosted URLs botocore makes
// in the tests; the requests still go to the test server's address.
const vhostDomain = "s3.coffer.test"

// runBotocoreSigV2 runs testdata/botocore_sigv2.py in mode against srv.
func runBotocoreSigV2(t *testing.T, srv *verifyServer, mode string, size int) []byte {
	t.Helper()
	python := pythonWithBoto3(t)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, filepath.Join("testdata", "botocore_sigv2.py"), mode)
	cmd.Env = append(cleanEnv(), "ENDPOINT="+srv.URL, "VHOST_ENDPOINT=http://"+vhostDomain+":"+u.Port(),
		"ACCESS_KEY="+testAccessKey, "SECRET_KEY="+testSecret, "SIZE="+strconv.Itoa(size),
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore %s: %v\n%s", mode, err, stderr.String())
	}
	return out
}

// cleanEnv drops AWS_* settings so botocore sees only the test's.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

// serverRequest turns a URL into the request a server would receive: the
// target exactly as in the URL, the URL's host in the Host header.
func serverRequest(t *testing.T, method, rawURL string, headers []header, body string) *http.Request {
	t.Helper()
	rest, ok := strings.CutPrefix(rawURL, "http://")
	host, target, found := strings.Cut(rest, "/")
	if !ok || !found {
		t.Fatalf("unexpected URL %q", rawURL)
	}
	return newRequest(method, "/"+target, host, headers, body)
}

// send makes a real request to srv for a presigned URL, Host kept.
func send(t *testing.T, srv *verifyServer, method, rawURL string, headers []header, body []byte) captured {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = req.URL.Host
	req.URL.Host = strings.TrimPrefix(srv.URL, "http://")
	for _, h := range headers {
		req.Header.Set(h.name, h.value)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return srv.last(t)
}

func TestBotocoreSigV2Presigned(t *testing.T) {
	v := testVerifier()
	v.Domains = []string{vhostDomain}
	srv := newVerifyServer(t, v, "s3", false)
	var urls map[string]string
	if err := json.Unmarshal(runBotocoreSigV2(t, srv, "presign", 0), &urls); err != nil {
		t.Fatal(err)
	}
	for name, u := range urls {
		if !strings.Contains(u, "AWSAccessKeyId="+testAccessKey) || strings.Contains(u, "X-Amz-") {
			t.Fatalf("%s: botocore did not presign with SigV2: %s", name, u)
		}
	}
	data := botoData(100<<10 + 7)
	accepted := []struct {
		name, method, url string
		headers           []header
		body              []byte
	}{
		{"get", http.MethodGet, urls["get"], nil, nil},
		{"head", http.MethodHead, urls["head"], nil, nil},
		{"put", http.MethodPut, urls["put"], nil, data},
		{"put, signed headers as parameters", http.MethodPut, urls["put_headers"], nil, data},
		{"put, signed headers sent", http.MethodPut, urls["put_headers"], []header{{"Content-Type", "text/plain"}, {"X-Amz-Meta-Color", "blue"}}, data},
		{"get with sub-resources", http.MethodGet, urls["get_subresources"], nil, nil},
		{"virtual-hosted get", http.MethodGet, urls["virtual_get"], nil, nil},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			c := send(t, srv, tt.method, tt.url, tt.headers, tt.body)
			c.ok(t)
			a := c.auth
			if !a.Presigned || a.SignatureVersion != SignatureV2 || a.AccessKey != testAccessKey || a.PayloadSHA256 != "" {
				t.Fatalf("Auth = %+v", a)
			}
			if !bytes.Equal(c.body, tt.body) || a.DecodedLength != int64(len(tt.body)) {
				t.Fatalf("body: %d bytes (DecodedLength %d), sent %d", len(c.body), a.DecodedLength, len(tt.body))
			}
		})
	}

	// tamperSignature flips one bit of the decoded signature, so the URL
	// stays well-formed and only the signature is wrong.
	tamperSignature := func(u string) string {
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		q := parsed.Query()
		sig, err := base64.StdEncoding.DecodeString(q.Get("Signature"))
		if err != nil {
			t.Fatal(err)
		}
		sig[0] ^= 1
		q.Set("Signature", base64.StdEncoding.EncodeToString(sig))
		parsed.RawQuery = q.Encode()
		return parsed.String()
	}
	wrongSecret := testVerifier()
	wrongSecret.Secret = func(ak string) (string, bool) { return testSecret + "x", ak == testAccessKey }
	expired := testVerifier()
	expired.Now = func() time.Time { return time.Now().Add(time.Hour + time.Minute) } // botocore's default is an hour
	noDomains := testVerifier()
	refused := []struct {
		name     string
		verifier *Verifier
		method   string
		url      string
		headers  []header
		wantErr  error
	}{
		{"tampered signature", v, http.MethodGet, tamperSignature(urls["get"]), nil, ErrSignatureDoesNotMatch},
		{"expired", expired, http.MethodGet, urls["get"], nil, ErrRequestExpired},
		{"wrong secret", wrongSecret, http.MethodGet, urls["get"], nil, ErrSignatureDoesNotMatch},
		{"method changed", v, http.MethodDelete, urls["get"], nil, ErrSignatureDoesNotMatch},
		{"put as get", v, http.MethodGet, urls["put"], nil, ErrSignatureDoesNotMatch},
		{"other key", v, http.MethodGet, strings.Replace(urls["get"], "/pre%20signed/", "/pre%20signed2/", 1), nil, ErrSignatureDoesNotMatch},
		{"other content-type", v, http.MethodPut, urls["put_headers"], []header{{"Content-Type", "text/html"}}, ErrSignatureDoesNotMatch},
		{"urllib's default content-type", v, http.MethodPut, urls["put"], []header{{"Content-Type", "application/x-www-form-urlencoded"}}, ErrSignatureDoesNotMatch},
		{"unsigned x-amz header", v, http.MethodPut, urls["put"], []header{{"X-Amz-Server-Side-Encryption", "aws:kms"}}, ErrSignatureDoesNotMatch},
		{"other version", v, http.MethodGet, strings.Replace(urls["get_subresources"], "versionId=v%2B1%202", "versionId=v%2B1%203", 1), nil, ErrSignatureDoesNotMatch},
		{"virtual host without Domains", noDomains, http.MethodGet, urls["virtual_get"], nil, ErrSignatureDoesNotMatch},
		{"other service", v, http.MethodGet, urls["get"], nil, ErrUnsupportedAlgorithm},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.url, "AWSAccessKeyId=") {
				t.Fatalf("edit broke the URL %q", tt.url)
			}
			service := "s3"
			if tt.name == "other service" {
				service = "kms"
			}
			_, err := tt.verifier.Verify(serverRequest(t, tt.method, tt.url, tt.headers, ""), service)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// botocore with signature_version="s3" signs ordinary requests with
// "Authorization: AWS AccessKeyId:Signature".
func TestBotocoreSigV2Header(t *testing.T) {
	srv := newVerifyServer(t, testVerifier(), "s3", false)
	const size = 64<<10 + 5
	runBotocoreSigV2(t, srv, "requests", size)
	data := botoData(size)
	puts := 0
	for _, c := range srv.all() {
		c.ok(t)
		if c.auth.SignatureVersion != SignatureV2 || c.auth.Presigned || c.auth.AccessKey != testAccessKey {
			t.Fatalf("%s %s?%s: Auth = %+v", c.method, c.path, c.query, c.auth)
		}
		if c.method == http.MethodPut {
			puts++
			if !bytes.Equal(c.body, data) {
				t.Fatalf("PUT %s: %d bytes, sent %d", c.path, len(c.body), len(data))
			}
		}
	}
	if n := len(srv.all()); puts != 2 || n != 8 {
		t.Fatalf("server saw %d requests, %d PUTs; want 8 and 2", n, puts)
	}
}

// The aws CLI presigns with SigV2 too when given a custom endpoint.
func TestAWSCLIPresignSigV2(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no aws CLI on PATH")
	}
	srv := newVerifyServer(t, testVerifier(), "s3", false)
	cmd := exec.Command(aws, "--endpoint-url", srv.URL, "s3", "presign", "s3://bucket/cli dir/ü+1.txt", "--expires-in", "300")
	cmd.Env = append(cleanEnv(), "AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecret,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws s3 presign: %v\n%s", err, out)
	}
	u := strings.TrimSpace(string(out))
	if !strings.Contains(u, "AWSAccessKeyId=") {
		t.Fatalf("not a SigV2 URL: %s", u)
	}
	c := send(t, srv, http.MethodGet, u, nil, nil)
	c.ok(t)
	if !c.auth.Presigned || c.auth.SignatureVersion != SignatureV2 {
		t.Fatalf("Auth = %+v", c.auth)
	}
}
