package console

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/audit"
	"github.com/cofferlabs/coffer/audit/auditapi"
	"github.com/cofferlabs/coffer/iam"
	"github.com/cofferlabs/coffer/iam/iamapi"
	"github.com/cofferlabs/coffer/kms"
	"github.com/cofferlabs/coffer/kms/kmsapi"
	"github.com/cofferlabs/coffer/policy"
	"github.com/cofferlabs/coffer/s3api"
	"github.com/cofferlabs/coffer/sigv4"
	"github.com/cofferlabs/coffer/sse"
	"github.com/cofferlabs/coffer/storage/mem"
	"github.com/cofferlabs/coffer/transport"
)

const stackRegion = "us-east-1"

// stack is a real Coffer built in process as cmd/coffer wires it (S3 over
// sse over storage/mem, the KMS, IAM and STS, CloudTrail over an audit
// trail, one policy.Authorizer over an iam.Directory), with the console
// mounted in the router and the transport middleware in front, served by
// httptest.
type stack struct {
	server  *httptest.Server
	console *Console
	users   *iam.Directory
	trail   *audit.Log
	logs    *lockedBuffer
	opsHits atomic.Int32
	// bob is a user with no policy: everything but STS is denied to him.
	bobKey, bobSecret string
	secrets           []string
}

// stackAccounts is cmd/coffer's accounts: the root user and the directory.
type stackAccounts struct {
	users *iam.Directory
}

func (a stackAccounts) secret(accessKey string) (string, bool) {
	if accessKey == testRootKey {
		return testRootSecret, true
	}
	_, secret, ok := a.users.AccessKey(accessKey)
	return secret, ok
}

func (a stackAccounts) identify(accessKey string) (coffer.Principal, bool) {
	if accessKey == testRootKey {
		return coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root",
			UserID: testAccount, AccessKeyID: accessKey}, true
	}
	p, _, ok := a.users.AccessKey(accessKey)
	return p, ok
}

func newStack(t *testing.T, useTLS bool) *stack {
	t.Helper()
	ctx := context.Background()
	st := &stack{logs: &lockedBuffer{}}
	logger := slog.New(slog.NewJSONHandler(st.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store := mem.New()
	rootKey := bytes.Repeat([]byte{0x42}, 32)

	users, err := iam.Open(ctx, store, bytes.Repeat([]byte{0x17}, 32), iam.Options{AccountID: testAccount})
	if err != nil {
		t.Fatal(err)
	}
	st.users = users
	if _, err := users.CreateUser(ctx, "bob", "/"); err != nil {
		t.Fatal(err)
	}
	bob, err := users.CreateAccessKey(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	st.bobKey, st.bobSecret = bob.ID, bob.Secret
	st.secrets = []string{testRootSecret, bob.Secret}

	authz := policy.NewAuthorizer(users, testAccount)
	auditDir := t.TempDir()
	trail, err := audit.Open(auditDir, bytes.Repeat([]byte{0x23}, audit.KeySize),
		audit.Options{Region: stackRegion, AccountID: testAccount, Logger: logger, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st.trail = trail
	t.Cleanup(func() {
		trail.Close()
		checkNoSecret(t, "the logs", st.logs.String(), st.secrets)
		checkNoSecretOnDisk(t, auditDir, st.secrets)
	})
	keys, err := kms.New(store, rootKey, kms.Options{Region: stackRegion, AccountID: testAccount, Policy: authz, Auditor: trail})
	if err != nil {
		t.Fatal(err)
	}
	keyring, err := sse.NewKeyring(ctx, store, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	service := sse.New(store, keyring, sse.Options{Region: stackRegion, AccountID: testAccount, KeyManager: keys, Auditor: trail,
		ValidateBucketPolicy: validateBucketPolicy})

	accounts := stackAccounts{users: users}
	verifier := &sigv4.Verifier{Secret: accounts.secret}
	s3 := s3api.New(s3api.Config{
		Service: service, Verifier: verifier, Region: stackRegion, AccountID: testAccount, Logger: logger,
		Auditor: trail, Identify: accounts.identify, Authorizer: authz,
		KMSKeyARN: func(_ context.Context, ref string) (string, bool) { return keys.KeyARN(ref) },
	})
	kmsAPI := kmsapi.New(kmsapi.Config{KMS: keys, Verifier: verifier, Region: stackRegion, AccountID: testAccount,
		Logger: logger, Identify: accounts.identify})
	trailAPI := auditapi.New(auditapi.Config{Log: trail, Verifier: verifier, Region: stackRegion, AccountID: testAccount,
		Logger: logger, Identify: accounts.identify, Authorizer: authz})
	iamAPI := iamapi.New(iamapi.Config{Directory: users, Verifier: verifier, Identify: accounts.identify, Authorizer: authz,
		Auditor: trail, AccountID: testAccount, Region: stackRegion, Logger: logger})
	ops := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.opsHits.Add(1)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "operator endpoint reached")
	})

	st.console = New(Config{Secret: accounts.secret, Identify: accounts.identify, Region: stackRegion, Logger: logger})
	router := stackRoute(st.console, ops, s3, kmsAPI, trailAPI, iamAPI)
	st.console.SetRouter(router)
	st.server = httptest.NewUnstartedServer(transport.Middleware(router, nil))
	if useTLS {
		st.server.StartTLS()
	} else {
		st.server.Start()
	}
	t.Cleanup(st.server.Close)
	return st
}

// stackRoute routes as cmd/coffer does, with the console first.
func stackRoute(console, ops, s3, kmsAPI, trailAPI, iamAPI http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, Prefix) || r.URL.Path == strings.TrimSuffix(Prefix, "/") {
			console.ServeHTTP(w, r)
			return
		}
		if target := r.Header.Get("X-Amz-Target"); target != "" && r.Method == http.MethodPost && r.URL.Path == "/" {
			switch {
			case strings.HasPrefix(target, "TrentService."):
				kmsAPI.ServeHTTP(w, r)
				return
			case auditapi.IsTarget(target):
				trailAPI.ServeHTTP(w, r)
				return
			}
		}
		if iamapi.IsRequest(r) {
			iamAPI.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/_coffer/") {
			ops.ServeHTTP(w, r)
			return
		}
		s3.ServeHTTP(w, r)
	})
}

// validateBucketPolicy is cmd/coffer's: the policy engine's grammar, its
// refusals as S3's MalformedPolicy.
func validateBucketPolicy(doc []byte, bucket string) error {
	err := policy.ValidateBucketPolicy(doc, bucket)
	var refused *policy.Error
	if errors.As(err, &refused) {
		return &coffer.ArgumentError{Code: "MalformedPolicy", Name: "Policy", Message: refused.Public()}
	}
	return err
}

func checkNoSecretOnDisk(t *testing.T, dir string, secrets []string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checkNoSecret(t, "the audit trail", string(b), secrets)
		return nil
	})
}

// browser is a client of the console as a browser is: a cookie jar, the
// CSRF token in memory, every response checked for secrets.
type browser struct {
	t      *testing.T
	st     *stack
	client *http.Client
	csrf   string
}

func (st *stack) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := st.server.Client()
	return &browser{t: t, st: st, client: &http.Client{Transport: client.Transport, Jar: jar}}
}

func (b *browser) signIn(accessKey, secret string) sessionInfo {
	b.t.Helper()
	body, _ := json.Marshal(credentials{AccessKeyID: accessKey, SecretAccessKey: secret})
	resp, data := b.do(http.MethodPost, sessionPath, bytes.NewReader(body), "Content-Type", "application/json")
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("sign-in: %d %s", resp.StatusCode, data)
	}
	var info sessionInfo
	if err := json.Unmarshal(data, &info); err != nil {
		b.t.Fatal(err)
	}
	b.csrf = info.CSRFToken
	return info
}

// do sends a request to the console, with the CSRF token on anything but
// GET and HEAD.
func (b *browser) do(method, path string, body io.Reader, headers ...string) (*http.Response, []byte) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.st.server.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if method != http.MethodGet && method != http.MethodHead && b.csrf != "" {
		req.Header.Set(CSRFHeader, b.csrf)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data := readAll(b.t, resp.Body)
	checkNoSecretInResponse(b.t, resp.Header, data, b.st.secrets)
	return resp, data
}

// s3Path is the console path of an S3 object, each key segment escaped.
func s3Path(bucket, key string) string {
	p := awsPrefix + "s3/" + bucket
	if key != "" {
		segs := strings.Split(key, "/")
		for i, s := range segs {
			segs[i] = url.PathEscape(s)
		}
		p += "/" + strings.Join(segs, "/")
	}
	return p
}

func TestStackS3RoundTrip(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			st := newStack(t, useTLS)
			b := st.browser(t)
			b.signIn(testRootKey, testRootSecret)

			if resp, body := b.do(http.MethodPut, s3Path("demo", ""), nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("CreateBucket: %d %s", resp.StatusCode, body)
			}
			data := make([]byte, 3<<20+17)
			rand.Read(data)
			key := "dir/a b+c&d=é.bin"
			resp, body := b.do(http.MethodPut, s3Path("demo", key), bytes.NewReader(data),
				"Content-Type", "application/x-test", "X-Amz-Meta-Color", "blue")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("PutObject: %d %s", resp.StatusCode, body)
			}
			if sse := resp.Header.Get("X-Amz-Server-Side-Encryption"); sse != "AES256" {
				t.Errorf("PutObject encryption %q", sse)
			}
			if resp.Header.Get("Set-Cookie") != "" {
				t.Error("a proxied response set a cookie")
			}

			resp, got := b.do(http.MethodGet, s3Path("demo", key), nil)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
				t.Fatalf("GetObject: %d, %d bytes, equal=%v", resp.StatusCode, len(got), bytes.Equal(got, data))
			}
			if resp.Header.Get("Content-Type") != "application/x-test" || resp.Header.Get("X-Amz-Meta-Color") != "blue" {
				t.Errorf("GetObject headers %v", resp.Header)
			}
			if resp.Header.Get("Content-Security-Policy") != proxySandbox {
				t.Errorf("GetObject CSP %q", resp.Header.Get("Content-Security-Policy"))
			}

			resp, got = b.do(http.MethodGet, s3Path("demo", key), nil, "Range", "bytes=10-19")
			if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, data[10:20]) {
				t.Errorf("ranged GetObject: %d %x", resp.StatusCode, got)
			}
			resp, _ = b.do(http.MethodGet, s3Path("demo", key), nil, "If-None-Match", resp.Header.Get("ETag"))
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("conditional GetObject: %d", resp.StatusCode)
			}
			resp, _ = b.do(http.MethodHead, s3Path("demo", key), nil)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Length") != fmt.Sprint(len(data)) {
				t.Errorf("HeadObject: %d %v", resp.StatusCode, resp.Header)
			}

			resp, body = b.do(http.MethodGet, s3Path("demo", "")+"?list-type=2&prefix="+url.QueryEscape("dir/")+"&delimiter=%2F", nil)
			var list struct {
				Contents []struct{ Key string }
			}
			if err := xml.Unmarshal(body, &list); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("ListObjectsV2: %d %s %v", resp.StatusCode, body, err)
			}
			if len(list.Contents) != 1 || list.Contents[0].Key != key {
				t.Errorf("ListObjectsV2 listed %+v", list.Contents)
			}

			if resp, body := b.do(http.MethodDelete, s3Path("demo", key), nil); resp.StatusCode != http.StatusNoContent {
				t.Errorf("DeleteObject: %d %s", resp.StatusCode, body)
			}
			if resp, _ := b.do(http.MethodGet, s3Path("demo", key), nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GetObject after delete: %d", resp.StatusCode)
			}
		})
	}
}

// TestStackMultipartUpload: the query-string operations of a multipart
// upload (uploads, uploadId, partNumber) survive the proxy's re-signing.
func TestStackMultipartUpload(t *testing.T) {
	st := newStack(t, false)
	b := st.browser(t)
	b.signIn(testRootKey, testRootSecret)
	b.do(http.MethodPut, s3Path("parts", ""), nil)
	resp, body := b.do(http.MethodPost, s3Path("parts", "big")+"?uploads", nil)
	var created struct{ UploadId string }
	if err := xml.Unmarshal(body, &created); err != nil || resp.StatusCode != http.StatusOK || created.UploadId == "" {
		t.Fatalf("CreateMultipartUpload: %d %s", resp.StatusCode, body)
	}
	part1 := bytes.Repeat([]byte("a"), 5<<20)
	part2 := []byte("tail")
	var etags []string
	for i, part := range [][]byte{part1, part2} {
		q := fmt.Sprintf("?partNumber=%d&uploadId=%s", i+1, url.QueryEscape(created.UploadId))
		resp, body := b.do(http.MethodPut, s3Path("parts", "big")+q, bytes.NewReader(part))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("UploadPart %d: %d %s", i+1, resp.StatusCode, body)
		}
		etags = append(etags, resp.Header.Get("ETag"))
	}
	complete := fmt.Sprintf(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part><Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>`, etags[0], etags[1])
	resp, body = b.do(http.MethodPost, s3Path("parts", "big")+"?uploadId="+url.QueryEscape(created.UploadId), strings.NewReader(complete))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CompleteMultipartUpload: %d %s", resp.StatusCode, body)
	}
	resp, got := b.do(http.MethodGet, s3Path("parts", "big"), nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, append(part1, part2...)) {
		t.Errorf("GetObject: %d, %d bytes", resp.StatusCode, len(got))
	}
}

func kmsCall(b *browser, op, body string) (*http.Response, map[string]any) {
	b.t.Helper()
	resp, data := b.do(http.MethodPost, awsPrefix+"kms/", strings.NewReader(body), "X-Amz-Target", "TrentService."+op)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		b.t.Fatalf("%s: %d %s", op, resp.StatusCode, data)
	}
	return resp, out
}

func TestStackKMS(t *testing.T) {
	st := newStack(t, true)
	b := st.browser(t)
	b.signIn(testRootKey, testRootSecret)
	resp, created := kmsCall(b, "CreateKey", `{"Description":"made in the console"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateKey: %d %v", resp.StatusCode, created)
	}
	keyID := created["KeyMetadata"].(map[string]any)["KeyId"].(string)
	resp, listed := kmsCall(b, "ListKeys", `{}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ListKeys: %d %v", resp.StatusCode, listed)
	}
	found := false
	for _, k := range listed["Keys"].([]any) {
		found = found || k.(map[string]any)["KeyId"] == keyID
	}
	if !found {
		t.Errorf("ListKeys %v lacks %s", listed, keyID)
	}
	if resp, out := kmsCall(b, "EnableKeyRotation", `{"KeyId":"`+keyID+`"}`); resp.StatusCode != http.StatusOK {
		t.Errorf("EnableKeyRotation: %d %v", resp.StatusCode, out)
	}
}

func TestStackIAMAndSTS(t *testing.T) {
	st := newStack(t, false)
	b := st.browser(t)
	b.signIn(testRootKey, testRootSecret)
	resp, body := b.do(http.MethodPost, awsPrefix+"iam/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<UserName>bob</UserName>") {
		t.Fatalf("ListUsers: %d %s", resp.StatusCode, body)
	}
	resp, body = b.do(http.MethodPost, awsPrefix+"iam/", strings.NewReader("Action=CreateUser&UserName=carol&Version=2010-05-08"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateUser: %d %s", resp.StatusCode, body)
	}
	if _, err := st.users.GetUser("carol"); err != nil {
		t.Errorf("the user made through the console is not in the directory: %v", err)
	}
	resp, body = b.do(http.MethodPost, awsPrefix+"sts/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<Arn>arn:aws:iam::"+testAccount+":root</Arn>") {
		t.Errorf("GetCallerIdentity as root: %d %s", resp.StatusCode, body)
	}

	bob := st.browser(t)
	info := bob.signIn(st.bobKey, st.bobSecret)
	if info.ARN != "arn:aws:iam::"+testAccount+":user/bob" || info.UserName != "bob" {
		t.Errorf("bob's session %+v", info)
	}
	resp, body = bob.do(http.MethodPost, awsPrefix+"sts", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), ":user/bob</Arn>") {
		t.Errorf("GetCallerIdentity as bob: %d %s", resp.StatusCode, body)
	}
}

func TestStackCloudTrail(t *testing.T) {
	st := newStack(t, true)
	b := st.browser(t)
	b.signIn(testRootKey, testRootSecret)
	kmsCall(b, "CreateKey", `{}`)
	if err := st.trail.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, body := b.do(http.MethodPost, awsPrefix+"cloudtrail/",
		strings.NewReader(`{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateKey"}]}`),
		"X-Amz-Target", "CloudTrail_20131101.LookupEvents")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("LookupEvents: %d %s", resp.StatusCode, body)
	}
	var out struct {
		Events []struct{ EventName, Username string }
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 || out.Events[0].EventName != "CreateKey" {
		t.Errorf("LookupEvents found %+v", out.Events)
	}
}

// TestStackDenialsPassThrough: a user without permissions gets each API's
// own denial, exactly as a direct call gets it.
func TestStackDenialsPassThrough(t *testing.T) {
	st := newStack(t, true)
	b := st.browser(t)
	b.signIn(st.bobKey, st.bobSecret)
	cases := []struct {
		name         string
		method, path string
		body         string
		headers      []string
		direct       func() *http.Request
		wantStatus   int
		wantCode     string
	}{
		{name: "S3 ListBuckets", method: "GET", path: awsPrefix + "s3/", wantStatus: 403, wantCode: "<Code>AccessDenied</Code>",
			direct: func() *http.Request { r, _ := http.NewRequest("GET", st.server.URL+"/", nil); return r }},
		{name: "S3 CreateBucket", method: "PUT", path: s3Path("bobs", ""), wantStatus: 403, wantCode: "<Code>AccessDenied</Code>",
			direct: func() *http.Request { r, _ := http.NewRequest("PUT", st.server.URL+"/bobs", nil); return r }},
		{name: "KMS CreateKey", method: "POST", path: awsPrefix + "kms/", body: "{}", headers: []string{"X-Amz-Target", "TrentService.CreateKey"},
			wantStatus: 400, wantCode: `"AccessDeniedException"`},
		{name: "IAM ListUsers", method: "POST", path: awsPrefix + "iam/", body: "Action=ListUsers&Version=2010-05-08",
			wantStatus: 403, wantCode: "<Code>AccessDenied</Code>"},
		{name: "CloudTrail LookupEvents", method: "POST", path: awsPrefix + "cloudtrail/", body: "{}",
			headers: []string{"X-Amz-Target", "CloudTrail_20131101.LookupEvents"}, wantStatus: 400, wantCode: `"AccessDeniedException"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			resp, data := b.do(tc.method, tc.path, body, tc.headers...)
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(data), tc.wantCode) {
				t.Fatalf("%d %s", resp.StatusCode, data)
			}
			if tc.direct == nil {
				return
			}
			// The same call, signed by bob himself, answers the same.
			r := tc.direct()
			r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
			creds := aws.Credentials{AccessKeyID: st.bobKey, SecretAccessKey: st.bobSecret}
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, unsignedPayload, "s3", stackRegion, time.Now(),
				func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }); err != nil {
				t.Fatal(err)
			}
			direct, err := st.server.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer direct.Body.Close()
			directBody := readAll(t, direct.Body)
			if direct.StatusCode != resp.StatusCode || direct.Header.Get("Content-Type") != resp.Header.Get("Content-Type") ||
				withoutIDs(directBody) != withoutIDs(data) {
				t.Errorf("direct: %d %s %s\nconsole: %d %s %s", direct.StatusCode, direct.Header.Get("Content-Type"), directBody,
					resp.StatusCode, resp.Header.Get("Content-Type"), data)
			}
		})
	}
}

// withoutIDs drops S3's per-request ids from an error body.
func withoutIDs(body []byte) string {
	var e struct {
		Code, Message, Resource string
	}
	xml.Unmarshal(body, &e)
	return e.Code + "|" + e.Message + "|" + e.Resource
}

// TestStackSecureTransportIsTheBrowsers: a bucket policy refusing plain
// HTTP denies the console's calls when the browser came over plain HTTP,
// and allows them over TLS: aws:SecureTransport is the browser's.
func TestStackSecureTransportIsTheBrowsers(t *testing.T) {
	policyDoc := `{"Version":"2012-10-17","Statement":[{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:PutObject",` +
		`"Resource":"arn:aws:s3:::tls/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			st := newStack(t, useTLS)
			b := st.browser(t)
			b.signIn(testRootKey, testRootSecret)
			b.do(http.MethodPut, s3Path("tls", ""), nil)
			if resp, body := b.do(http.MethodPut, s3Path("tls", "")+"?policy", strings.NewReader(policyDoc)); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("PutBucketPolicy: %d %s", resp.StatusCode, body)
			}
			resp, body := b.do(http.MethodPut, s3Path("tls", "obj"), strings.NewReader("x"))
			want := http.StatusForbidden
			if useTLS {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Errorf("PutObject: %d, want %d: %s", resp.StatusCode, want, body)
			}
		})
	}
}

// TestStackCannotReachOperatorAPI tries every path trick towards
// /_coffer/ through the S3 proxy: each is refused and the operator
// endpoints never see a request.
func TestStackCannotReachOperatorAPI(t *testing.T) {
	st := newStack(t, false)
	b := st.browser(t)
	b.signIn(testRootKey, testRootSecret)
	for _, p := range []string{
		"_coffer/metrics",
		"_coffer/health/live",
		"%5Fcoffer/metrics",
		"%5fCOFFER/metrics",
		"_COFFER/admin/v1/rotate-master-key",
		"/_coffer/metrics",
		"%2F_coffer/metrics",
		"bucket/../_coffer/metrics",
		"bucket/%2e%2e/_coffer/metrics",
		"bucket/%2E%2E/%2E%2E/_coffer/metrics",
		"./_coffer/metrics",
		"_coffer/console/api/session",
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			resp, body := b.do(method, awsPrefix+"s3/"+p, nil)
			if resp.StatusCode != http.StatusBadRequest || errorCode(t, body) != "InvalidPath" {
				t.Errorf("%s %s: %d %s", method, p, resp.StatusCode, body)
			}
		}
	}
	if n := st.opsHits.Load(); n != 0 {
		t.Errorf("the operator API was reached %d times", n)
	}
}

// TestStackSessionLifecycle: sign in, use, sign out; the proxy refuses
// the signed-out browser, and no secret is anywhere.
func TestStackSessionLifecycle(t *testing.T) {
	st := newStack(t, true)
	b := st.browser(t)
	info := b.signIn(testRootKey, testRootSecret)
	if info.ARN != "arn:aws:iam::"+testAccount+":root" || info.AccountID != testAccount {
		t.Errorf("session %+v", info)
	}
	if resp, _ := b.do(http.MethodGet, awsPrefix+"s3/", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("ListBuckets: %d", resp.StatusCode)
	}
	if resp, body := b.do(http.MethodDelete, sessionPath, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("sign out: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.do(http.MethodGet, awsPrefix+"s3/", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after sign-out: %d %s", resp.StatusCode, body)
	}
	resp, body := b.do(http.MethodGet, Prefix, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != contentSecurityPolicy {
		t.Errorf("the application: %d %.100s", resp.StatusCode, body)
	}
}
