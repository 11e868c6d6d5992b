package opsapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/sigv4"
	"github.com/prometheus/client_golang/prometheus"
)

const bucketRewrapPath = "/_coffer/admin/v1/rewrap?bucket=photos&kms-key-id=alias%2Farchive"

// readLines decodes an NDJSON body.
func readLines(t *testing.T, body []byte) []rewrapLine {
	t.Helper()
	var out []rewrapLine
	for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		var l rewrapLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out = append(out, l)
	}
	return out
}

func TestRewrapBucketStreamsProgress(t *testing.T) {
	steady := [][2]int{{0, 3}, {1, 3}, {2, 3}, {3, 3}}
	progress := []rewrapLine{{Done: 0, Total: 3}, {Done: 1, Total: 3}, {Done: 2, Total: 3}, {Done: 3, Total: 3}}
	const keyARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := []struct {
		name     string
		progress [][2]int
		result   BucketRewrapResult
		err      error
		want     []rewrapLine
	}{
		{name: "finishes", progress: steady, result: BucketRewrapResult{KeyARN: keyARN, Rewrapped: 2, Current: 1},
			want: append(progress, rewrapLine{Done: 3, Total: 3, Finished: true,
				Summary: &rewrapSummary{KeyARN: keyARN, Rewrapped: 2, Current: 1}})},
		{name: "finishes with failures", progress: steady,
			result: BucketRewrapResult{KeyARN: keyARN, Rewrapped: 1, Changed: 1, Failed: 1, FailedKey: "cat.jpg", FailedCode: "KMS.DisabledException", FailedMessage: "key is disabled."},
			want: append(progress, rewrapLine{Done: 3, Total: 3, Finished: true, Summary: &rewrapSummary{KeyARN: keyARN, Rewrapped: 1, Changed: 1, Failed: 1,
				FirstFailure: &rewrapFailure{Key: "cat.jpg", Code: "KMS.DisabledException", Message: "key is disabled."}}})},
		{name: "the KMS stops it midway", progress: steady[:2],
			err:  fmt.Errorf("sse: rewrap of bucket photos stopped after 1 objects: %w", &coffer.KMSError{Code: "DisabledException", Message: keyARN + " is disabled."}),
			want: append(progress[:2:2], rewrapLine{Done: 1, Total: 3, Error: keyARN + " is disabled.", Code: "KMS.DisabledException"})},
		{name: "an internal failure midway", progress: steady[:3], err: errors.New("disk on fire under /var/secret"),
			want: append(progress[:3:3], rewrapLine{Done: 2, Total: 3, Code: "InternalError", Error: "the rewrap stopped on an internal error (see the server log)"})},
		{name: "an empty bucket", progress: [][2]int{{0, 0}}, result: BucketRewrapResult{KeyARN: keyARN},
			want: []rewrapLine{{}, {Finished: true, Summary: &rewrapSummary{KeyARN: keyARN}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys := &fakeKeys{progress: tc.progress, bucketResult: tc.result, rewrapErr: tc.err}
			_, srv := newTestServer(t, keys)
			resp := signedPost(t, srv.URL+bucketRewrapPath, rootAK, rootSK)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-ndjson" {
				t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if strings.Contains(string(body), "disk on fire") {
				t.Fatalf("the internal error reached the client:\n%s", body)
			}
			if got := readLines(t, body); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("lines\n%s\nwant %+v", body, tc.want)
			}
			want := []BucketRewrap{{Bucket: "photos", KMSKeyID: "alias/archive"}}
			if !reflect.DeepEqual(keys.bucketCalls, want) || keys.masterCalls != 0 {
				t.Fatalf("calls %+v (master %d), want %+v", keys.bucketCalls, keys.masterCalls, want)
			}
		})
	}
}

// TestRewrapBucketRefusals: an error before the first progress report is
// an HTTP error with a JSON body saying what is wrong in public terms.
func TestRewrapBucketRefusals(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"no such bucket", fmt.Errorf("sse: %w: photos", coffer.ErrNoSuchBucket), http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist"},
		{"unknown key", fmt.Errorf("sse: KMS key: %w", &coffer.KMSError{Code: "NotFoundException", Message: "Alias arn:aws:kms:us-east-1:123456789012:alias/archive is not found."}),
			http.StatusBadRequest, "KMS.NotFoundException", "Alias arn:aws:kms:us-east-1:123456789012:alias/archive is not found."},
		{"disabled key", &coffer.KMSError{Code: "DisabledException", Message: "key is disabled."}, http.StatusBadRequest, "KMS.DisabledException", "key is disabled."},
		{"key pending deletion", &coffer.KMSError{Code: "KMSInvalidStateException", Message: "key is pending deletion."}, http.StatusBadRequest, "KMS.KMSInvalidStateException", "key is pending deletion."},
		{"key policy denies", &coffer.KMSError{Code: "AccessDeniedException", Message: "not authorized"}, http.StatusForbidden, "KMS.AccessDeniedException", "not authorized"},
		{"KMS throttling", &coffer.KMSError{Code: "ThrottlingException", Message: "Rate exceeded"}, http.StatusServiceUnavailable, "KMS.ThrottlingException", "Rate exceeded"},
		{"bad argument", &coffer.ArgumentError{Name: "KMSKeyId", Message: "The KMS key id is too long."}, http.StatusBadRequest, "InvalidArgument", "The KMS key id is too long."},
		{"key of another account", &coffer.ArgumentError{Code: "AccessDenied", Name: "KMSKeyArn", Message: "other account"}, http.StatusForbidden, "AccessDenied", "other account"},
		{"no KMS", fmt.Errorf("sse: %w", coffer.ErrNotImplemented), http.StatusNotImplemented, "NotImplemented", "re-keying to SSE-KMS needs the KMS, which this server does not run"},
		{"internal", errors.New("disk on fire under /var/secret"), http.StatusInternalServerError, "InternalError", "the rewrap stopped on an internal error (see the server log)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newTestServer(t, &fakeKeys{rewrapErr: tc.err})
			resp := signedPost(t, srv.URL+bucketRewrapPath, rootAK, rootSK)
			defer resp.Body.Close()
			var body map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"error": tc.code, "message": tc.message}
			if resp.StatusCode != tc.status || !reflect.DeepEqual(body, want) {
				t.Fatalf("%d %v, want %d %v", resp.StatusCode, body, tc.status, want)
			}
			if resp.Header.Get("X-Amz-Request-Id") == "" {
				t.Fatal("no request id")
			}
		})
	}
}

func rewrapQueryCases() []struct {
	name  string
	query string
	want  *BucketRewrap // nil: the master-key rewrap
	ok    bool
} {
	return []struct {
		name  string
		query string
		want  *BucketRewrap
		ok    bool
	}{
		{"no parameters: master key", "", nil, true},
		{"bucket and key", "bucket=photos&kms-key-id=alias%2Farchive", &BucketRewrap{Bucket: "photos", KMSKeyID: "alias/archive"}, true},
		{"key ARN", "bucket=photos&kms-key-id=arn%3Aaws%3Akms%3Aus-east-1%3A123456789012%3Akey%2Fk1", &BucketRewrap{Bucket: "photos", KMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/k1"}, true},
		{"bucket key on", "bucket=photos&kms-key-id=k1&bucket-key=true", &BucketRewrap{Bucket: "photos", KMSKeyID: "k1", BucketKey: true}, true},
		{"bucket key off", "bucket=photos&kms-key-id=k1&bucket-key=false", &BucketRewrap{Bucket: "photos", KMSKeyID: "k1"}, true},
		{"bucket alone", "bucket=photos", nil, false},
		{"key alone", "kms-key-id=k1", nil, false},
		{"bucket key alone", "bucket-key=true", nil, false},
		{"empty key", "bucket=photos&kms-key-id=", nil, false},
		{"bucket key not a boolean", "bucket=photos&kms-key-id=k1&bucket-key=yes", nil, false},
		{"bucket twice", "bucket=photos&bucket=other&kms-key-id=k1", nil, false},
		{"misspelt parameter", "bucket=photos&kms_key_id=k1", nil, false},
		{"misspelt parameter alone", "kmskeyid=k1", nil, false},
		{"invalid bucket name", "bucket=_coffer&kms-key-id=k1", nil, false},
	}
}

// TestRewrapQuery: the query picks the run; anything doubtful is refused
// with 400 before either kind of run starts.
func TestRewrapQuery(t *testing.T) {
	for _, tc := range rewrapQueryCases() {
		t.Run(tc.name, func(t *testing.T) {
			keys := &fakeKeys{progress: [][2]int{{0, 0}}}
			_, srv := newTestServer(t, keys)
			target := srv.URL + "/_coffer/admin/v1/rewrap"
			if tc.query != "" {
				target += "?" + tc.query
			}
			resp := signedPost(t, target, rootAK, rootSK)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case !tc.ok:
				if resp.StatusCode != http.StatusBadRequest || keys.masterCalls+len(keys.bucketCalls) != 0 {
					t.Fatalf("status %d, %d runs started: %s", resp.StatusCode, keys.masterCalls+len(keys.bucketCalls), body)
				}
				var msg map[string]string
				if err := json.Unmarshal(body, &msg); err != nil || msg["error"] != "InvalidArgument" || msg["message"] == "" {
					t.Fatalf("error body %s", body)
				}
			case tc.want == nil:
				if resp.StatusCode != http.StatusOK || keys.masterCalls != 1 || len(keys.bucketCalls) != 0 {
					t.Fatalf("status %d, master runs %d, bucket runs %v", resp.StatusCode, keys.masterCalls, keys.bucketCalls)
				}
			default:
				if resp.StatusCode != http.StatusOK || keys.masterCalls != 0 || !reflect.DeepEqual(keys.bucketCalls, []BucketRewrap{*tc.want}) {
					t.Fatalf("status %d, master runs %d, bucket runs %+v, want %+v", resp.StatusCode, keys.masterCalls, keys.bucketCalls, *tc.want)
				}
			}
		})
	}
}

// FuzzParseRewrapQuery: whatever the query, the parser answers without
// panicking, and a bucket run it accepts names a valid bucket and a key
// and survives a round trip through its own encoding.
func FuzzParseRewrapQuery(f *testing.F) {
	for _, tc := range rewrapQueryCases() {
		f.Add(tc.query)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		req, err := parseRewrapQuery(q)
		if err != nil || req == nil {
			return
		}
		if coffer.ValidateBucketName(req.Bucket) != nil || req.KMSKeyID == "" {
			t.Fatalf("accepted %+v from %q", req, raw)
		}
		again := url.Values{paramBucket: {req.Bucket}, paramKMSKeyID: {req.KMSKeyID}, paramBucketKey: {fmt.Sprint(req.BucketKey)}}
		if back, err := parseRewrapQuery(again); err != nil || *back != *req {
			t.Fatalf("%+v re-parses as %+v, %v", req, back, err)
		}
	})
}

// TestRewrapBucketActsAsRoot: the run gets the root principal of the
// configured account and the request's facts, keeping what the transport
// middleware established.
func TestRewrapBucketActsAsRoot(t *testing.T) {
	cases := []struct {
		name     string
		upstream *coffer.RequestInfo // what a transport middleware put in the context
		wantIP   string
		wantTLS  bool
	}{
		{name: "bare", wantIP: "127.0.0.1"},
		{name: "behind the transport middleware", upstream: &coffer.RequestInfo{SourceIP: "203.0.113.9", SecureTransport: true, ViaService: "forged"},
			wantIP: "203.0.113.9", wantTLS: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys := &fakeKeys{progress: [][2]int{{0, 0}}}
			ops, _ := newTestServer(t, keys)
			var handler http.Handler = ops
			if tc.upstream != nil {
				handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					ops.ServeHTTP(w, r.WithContext(coffer.WithRequestInfo(r.Context(), *tc.upstream)))
				})
			}
			srv := httptest.NewServer(handler)
			defer srv.Close()
			resp := signedPost(t, srv.URL+bucketRewrapPath, rootAK, rootSK)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			principal, ok := coffer.PrincipalFrom(keys.bucketCtx)
			wantPrincipal := coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount, AccessKeyID: rootAK}
			if !ok || principal != wantPrincipal || !principal.IsRoot() {
				t.Fatalf("principal %+v, want %+v", principal, wantPrincipal)
			}
			info := coffer.RequestInfoFrom(keys.bucketCtx)
			want := coffer.RequestInfo{RequestID: resp.Header.Get("X-Amz-Request-Id"), SourceIP: tc.wantIP, UserAgent: "Go-http-client/1.1",
				SecureTransport: tc.wantTLS, SignatureVersion: 4}
			if info != want || len(info.RequestID) != 16 {
				t.Fatalf("request info %+v, want %+v", info, want)
			}
		})
	}
}

func TestRewrapBucketIsForRootOnly(t *testing.T) {
	keys := &fakeKeys{}
	_, srv := newTestServer(t, keys)
	target := srv.URL + bucketRewrapPath
	cases := []struct {
		name string
		do   func() *http.Response
	}{
		{"anonymous", func() *http.Response {
			resp, err := http.Post(target, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}},
		{"wrong secret", func() *http.Response { return signedPost(t, target, rootAK, "nope") }},
		{"not root", func() *http.Response { return signedPost(t, target, userAK, userSK) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.do()
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
		})
	}
	if len(keys.bucketCalls) != 0 {
		t.Fatalf("refused requests started runs: %+v", keys.bucketCalls)
	}
}

// TestRewrapBucketNeedsTheAccount: without an account id the server
// cannot name the root principal, so it refuses rather than call the KMS
// as nobody.
func TestRewrapBucketNeedsTheAccount(t *testing.T) {
	keys := &fakeKeys{}
	verifier := &sigv4.Verifier{Secret: func(ak string) (string, bool) { return rootSK, ak == rootAK }}
	ops := New(Config{Gatherer: prometheus.NewRegistry(), Verifier: verifier, RootKeyID: rootAK, Keys: keys,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(ops)
	defer srv.Close()
	resp := signedPost(t, srv.URL+bucketRewrapPath, rootAK, rootSK)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || len(keys.bucketCalls) != 0 {
		t.Fatalf("status %d, runs %+v", resp.StatusCode, keys.bucketCalls)
	}
}

var _ KeyAdmin = (*fakeKeys)(nil)
