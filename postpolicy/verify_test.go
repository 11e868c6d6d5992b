package postpolicy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

const basicPolicy = `{"expiration": "2026-04-05T07:00:00Z", "conditions": [{"bucket": "b"}, ["starts-with", "$key", "u/"], ` + sigConditions + `]}`

func TestVerifyErrors(t *testing.T) {
	set := func(k, v string) func(map[string]string) { return func(f map[string]string) { f[k] = v } }
	del := func(k string) func(map[string]string) { return func(f map[string]string) { delete(f, k) } }
	tests := []struct {
		name     string
		edit     func(map[string]string)
		now      time.Time
		wantErr  error
		wantArg  string // ArgumentError.Name
		wantText string
	}{
		{name: "valid", wantErr: nil},
		{name: "field names in any case", edit: func(f map[string]string) {
			f["X-Amz-Signature"], f["Policy"] = f["x-amz-signature"], f["policy"]
			delete(f, "x-amz-signature")
			delete(f, "policy")
		}},
		{name: "no policy at all is anonymous", edit: func(f map[string]string) {
			for k := range f {
				delete(f, k)
			}
			f["key"] = "u/x"
		}, wantErr: ErrNoPolicy},
		{name: "signature without policy", edit: del("policy"), wantErr: ErrMissingField, wantArg: "Policy"},
		{name: "signature missing", edit: del("x-amz-signature"), wantErr: ErrMissingField, wantArg: "X-Amz-Signature",
			wantText: "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields."},
		{name: "algorithm missing", edit: del("x-amz-algorithm"), wantErr: ErrMissingField, wantArg: "X-Amz-Algorithm"},
		{name: "credential missing", edit: del("x-amz-credential"), wantErr: ErrMissingField, wantArg: "X-Amz-Credential"},
		{name: "date missing", edit: del("x-amz-date"), wantErr: ErrMissingField, wantArg: "X-Amz-Date"},
		{name: "sigv2 form", edit: func(f map[string]string) {
			delete(f, "x-amz-algorithm")
			f["awsaccesskeyid"], f["signature"] = testAccessKey, "c2ln"
		}, wantErr: ErrUnsupportedAlgorithm},
		{name: "other algorithm", edit: set("x-amz-algorithm", "AWS4-ECDSA-P256-SHA256"), wantErr: ErrUnsupportedAlgorithm},
		{name: "credential mal-formed", edit: set("x-amz-credential", testAccessKey+"/20260405/"+testRegion+"/s3"), wantErr: ErrInvalidField, wantArg: "X-Amz-Credential"},
		{name: "credential empty key", edit: set("x-amz-credential", "/20260405/"+testRegion+"/s3/aws4_request"), wantErr: ErrInvalidField, wantArg: "X-Amz-Credential"},
		{name: "credential bad date", edit: set("x-amz-credential", testAccessKey+"/2026-04-05/"+testRegion+"/s3/aws4_request"), wantErr: ErrInvalidField, wantArg: "X-Amz-Credential"},
		{name: "credential other service", edit: set("x-amz-credential", testAccessKey+"/20260405/"+testRegion+"/kms/aws4_request"), wantErr: ErrInvalidField, wantArg: "X-Amz-Credential"},
		{name: "credential bad terminal", edit: set("x-amz-credential", testAccessKey+"/20260405/"+testRegion+"/s3/aws5_request"), wantErr: ErrInvalidField, wantArg: "X-Amz-Credential"},
		{name: "date malformed", edit: set("x-amz-date", "2026-04-05T06:07:08Z"), wantErr: ErrInvalidField, wantArg: "X-Amz-Date"},
		{name: "date not the credential's", edit: set("x-amz-date", "20260406T060708Z"), wantErr: ErrInvalidField, wantArg: "X-Amz-Date"},
		{name: "unknown access key", edit: set("x-amz-credential", "NOSUCHKEY/20260405/"+testRegion+"/s3/aws4_request"), wantErr: ErrInvalidAccessKeyID},
		{name: "signature wrong", edit: set("x-amz-signature", strings.Repeat("0", 64)), wantErr: ErrSignatureDoesNotMatch},
		{name: "signature not hex", edit: set("x-amz-signature", "zz"), wantErr: ErrSignatureDoesNotMatch},
		{name: "signed for another region", edit: set("x-amz-credential", testAccessKey+"/20260405/us-east-1/s3/aws4_request"), wantErr: ErrSignatureDoesNotMatch},
		{name: "policy tampered", edit: func(f map[string]string) { f["policy"] = strings.Replace(f["policy"], "e", "f", 1) }, wantErr: ErrSignatureDoesNotMatch},
		{name: "signed but not base64", edit: func(f map[string]string) {
			f["policy"] = "not*base64"
			resignPolicyField(f)
		}, wantErr: ErrMalformedPolicy, wantText: "Invalid Policy: invalid Base64 encoding."},
		{name: "expired", now: time.Date(2026, 4, 5, 7, 0, 1, 0, time.UTC), wantErr: ErrPolicyExpired, wantText: "Invalid according to Policy: Policy expired."},
		{name: "at the expiration instant", now: time.Date(2026, 4, 5, 7, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := signedForm(basicPolicy, map[string]string{"key": "u/x"})
			if tt.edit != nil {
				tt.edit(form)
			}
			now := testNow
			if !tt.now.IsZero() {
				now = tt.now
			}
			p, err := Verify(form, testSecrets, now)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (p.AccessKey != testAccessKey || p.Region != testRegion) {
				t.Fatalf("Policy = %+v", p)
			}
			var arg *coffer.ArgumentError
			if tt.wantArg != "" && (!errors.As(err, &arg) || arg.Name != tt.wantArg) {
				t.Fatalf("ArgumentError = %+v, want name %s", arg, tt.wantArg)
			}
			if tt.wantText != "" && err.Error() != tt.wantText {
				t.Fatalf("message = %q, want %q", err.Error(), tt.wantText)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Fatal("error text contains the secret")
			}
		})
	}
}
