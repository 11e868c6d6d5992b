package auditapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rawRequest sends body to the server with target, signed unless
// accessKey is "" (anonymous); tamper may change the request after signing.
func rawRequest(t *testing.T, s *testServer, method, target, body, accessKey, secret string, tamper func(*http.Request)) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if accessKey != "" {
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), SigningService, testRegion, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("response %d is not JSON: %q", resp.StatusCode, data)
	}
	return resp.StatusCode, resp.Header, out
}

const lookupTarget = TargetPrefix + "LookupEvents"

func TestHTTPErrors(t *testing.T) {
	s := newTestServer(t)
	cases := []struct {
		name      string
		method    string
		target    string
		body      string
		accessKey string
		secret    string
		tamper    func(*http.Request)
		status    int
		code      string
	}{
		{name: "not JSON", body: "{not json", status: 400, code: "SerializationException"},
		{name: "JSON after the object", body: "{} {}", status: 400, code: "SerializationException"},
		{name: "attributes not a list", body: `{"LookupAttributes":{"AttributeKey":"EventName"}}`, status: 400, code: "SerializationException"},
		{name: "time as a string", body: `{"StartTime":"2025-03-01T12:00:00Z"}`, status: 400, code: "SerializationException"},
		{name: "fractional max results", body: `{"MaxResults":2.5}`, status: 400, code: "SerializationException"},
		{name: "time out of range", body: `{"StartTime":1e300}`, status: 400, code: "InvalidTimeRangeException"},
		{name: "negative time", body: `{"EndTime":-5}`, status: 400, code: "InvalidTimeRangeException"},
		{name: "attribute without value", body: `{"LookupAttributes":[{"AttributeKey":"EventName"}]}`, status: 400, code: "InvalidLookupAttributesException"},
		{name: "empty attribute value", body: `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":""}]}`, status: 400, code: "InvalidLookupAttributesException"},
		{name: "ReadOnly not boolean", body: `{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"maybe"}]}`, status: 400, code: "InvalidLookupAttributesException"},
		{name: "unknown operation", target: TargetPrefix + "MakeCoffee", status: 400, code: "UnknownOperationException"},
		{name: "another service's target", target: "TrentService.Decrypt", status: 400, code: "UnknownOperationException"},
		{name: "no target", target: "-", status: 400, code: "UnknownOperationException"},
		{name: "unsupported CloudTrail operation", target: TargetPrefix + "CreateTrail", status: 400, code: "UnsupportedOperationException"},
		{name: "GET", method: http.MethodGet, status: 404, code: "UnknownOperationException"},
		{name: "anonymous", accessKey: "-", status: 403, code: "MissingAuthenticationTokenException"},
		{name: "body changed after signing", tamper: func(r *http.Request) {
			r.Body = io.NopCloser(bytes.NewReader([]byte(`{"MaxResults":1}`)))
			r.ContentLength = 16
		}, status: 400, code: "InvalidSignatureException"},
		{name: "target changed after signing", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Target", TargetPrefix+"DescribeTrails") },
			status: 400, code: "InvalidSignatureException"},
		{name: "signed for another service", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/"+r.Header.Get("X-Amz-Date")[:8]+
				"/"+testRegion+"/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
		}, status: 400, code: "IncompleteSignatureException"},
		{name: "wrong secret", secret: "not-the-secret", status: 400, code: "InvalidSignatureException"},
		{name: "unknown key", accessKey: "AKIDNOBODY", status: 400, code: "UnrecognizedClientException"},
		{name: "valid key without permission", accessKey: readerKey, secret: readerSecret, status: 400, code: "AccessDeniedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method, target, body, ak, sk := http.MethodPost, lookupTarget, "{}", testAccessKey, testSecret
			if tc.method != "" {
				method = tc.method
			}
			switch tc.target {
			case "":
			case "-":
				target = ""
			default:
				target = tc.target
			}
			if tc.body != "" {
				body = tc.body
			}
			switch tc.accessKey {
			case "":
			case "-":
				ak = ""
			default:
				ak, sk = tc.accessKey, tc.secret
			}
			if tc.secret != "" {
				sk = tc.secret
			}
			status, header, out := rawRequest(t, s, method, target, body, ak, sk, tc.tamper)
			if status != tc.status || out["__type"] != tc.code || out["message"] == "" {
				t.Fatalf("got %d %v, want %d %s with a message", status, out, tc.status, tc.code)
			}
			if header.Get("X-Amzn-ErrorType") != tc.code || header.Get("Content-Type") != contentType || header.Get("x-amzn-RequestId") == "" {
				t.Fatalf("headers %v", header)
			}
		})
	}
}

// An empty body is an empty request; both target spellings work.
func TestHTTPEmptyBodyAndTargets(t *testing.T) {
	s := newTestServer(t)
	for _, target := range []string{lookupTarget, ShortTargetPrefix + "LookupEvents"} {
		status, _, out := rawRequest(t, s, http.MethodPost, target, "", testAccessKey, testSecret, nil)
		events, _ := out["Events"].([]any)
		if status != 200 || len(events) != len(fixture) {
			t.Fatalf("%s: %d %v", target, status, out)
		}
		first := events[0].(map[string]any)
		if _, isNumber := first["EventTime"].(float64); !isNumber {
			t.Fatalf("EventTime is not a number: %v", first["EventTime"])
		}
	}
	if !IsTarget(lookupTarget) || !IsTarget(ShortTargetPrefix+"DescribeTrails") || IsTarget("TrentService.Decrypt") {
		t.Fatal("IsTarget disagrees with the handler")
	}
}

// FuzzParseLookupRequest: no body panics the parser, and a request it
// accepts maps to a query or to one of the model's error codes.
func FuzzParseLookupRequest(f *testing.F) {
	for _, seed := range []string{"{}", "", `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"Decrypt"}],"MaxResults":5}`,
		`{"StartTime":1740830400.5,"EndTime":1740830500}`, `{"EventCategory":"insight"}`, `{"NextToken":"abc"}`,
		`{"StartTime":"x"}`, `{"MaxResults":2.5}`, `{"StartTime":1e300}`, "{not json"} {
		f.Add([]byte(seed))
	}
	codes := map[string]bool{codeInvalidLookup: true, codeInvalidMaxResults: true, codeInvalidCategory: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, apiErr := parseLookupRequest(body)
		if apiErr != nil {
			if apiErr.Code != codeSerialization && apiErr.Code != codeInvalidTimeRange {
				t.Fatalf("parse error code %s", apiErr.Code)
			}
			return
		}
		if _, apiErr := req.query(); apiErr != nil && !codes[apiErr.Code] {
			t.Fatalf("query error code %s", apiErr.Code)
		}
	})
}
