package s3api

import (
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func md5b64(b []byte) string {
	sum := md5.Sum(b)
	return b64(sum[:])
}

func TestEncryptionRequest(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	short := []byte("0123456789")
	sseC := func(alg string, k []byte, sum string) map[string]string {
		h := map[string]string{}
		if alg != "" {
			h[hdrSSECAlgorithm] = alg
		}
		if k != nil {
			h[hdrSSECKey] = b64(k)
		}
		if sum != "" {
			h[hdrSSECKeyMD5] = sum
		}
		return h
	}
	with := func(h map[string]string, k, v string) map[string]string { h[k] = v; return h }
	cases := []struct {
		name    string
		headers map[string]string
		plain   bool // over plain HTTP
		want    coffer.SSEType
		code    errorCode
		message string
	}{
		{name: "none", headers: nil, want: ""},
		{name: "AES256", headers: map[string]string{hdrSSE: "AES256"}, want: coffer.SSES3},
		{name: "AES256 with bucket key", headers: map[string]string{hdrSSE: "AES256", hdrSSEBucketKey: "true"}, want: coffer.SSES3},
		{name: "kms", headers: map[string]string{hdrSSE: "aws:kms", hdrSSEKMSKeyID: "alias/x"}, want: coffer.SSEKMS},
		{name: "kms context", headers: map[string]string{hdrSSE: "aws:kms", hdrSSEContext: b64([]byte(`{"a":"b"}`))}, want: coffer.SSEKMS},
		{name: "kms bad context", headers: map[string]string{hdrSSE: "aws:kms", hdrSSEContext: b64([]byte(`{"a":1}`))}, code: codeInvalidArgument, message: msgSSEContext},
		{name: "kms over http", headers: map[string]string{hdrSSE: "aws:kms"}, plain: true, code: codeInvalidArgument, message: msgKMSInsecure},
		{name: "kms key without kms", headers: map[string]string{hdrSSE: "AES256", hdrSSEKMSKeyID: "k"}, code: codeInvalidArgument, message: msgKMSNeedsHeader},
		{name: "kms key alone", headers: map[string]string{hdrSSEKMSKeyID: "k"}, code: codeInvalidArgument, message: msgKMSNeedsHeader},
		{name: "unknown sse", headers: map[string]string{hdrSSE: "aes:kms"}, code: codeInvalidArgument, message: msgSSEUnsupported},
		{name: "dsse", headers: map[string]string{hdrSSE: "aws:kms:dsse"}, code: codeNotImplemented},
		{name: "bad bucket key", headers: map[string]string{hdrSSE: "AES256", hdrSSEBucketKey: "yes"}, code: codeInvalidArgument},
		{name: "sse-c", headers: sseC("AES256", key, md5b64(key)), want: coffer.SSEC},
		{name: "sse-c and sse checked first", headers: with(sseC("AES512", key, "x"), hdrSSE, "AES256"), code: codeInvalidArgument, message: msgSSECIncompatible},
		{name: "sse-c bad algorithm", headers: sseC("AES512", key, md5b64(key)), code: codeInvalidEncryptionAlgorithm},
		{name: "sse-c no algorithm", headers: sseC("", key, md5b64(key)), code: codeInvalidArgument, message: msgSSECNoAlgorithm},
		{name: "sse-c no key", headers: sseC("AES256", nil, md5b64(key)), code: codeInvalidArgument, message: msgSSECNoKey},
		{name: "sse-c no md5", headers: sseC("AES256", key, ""), code: codeInvalidArgument, message: msgSSECNoMD5},
		{name: "sse-c md5 mismatch", headers: sseC("AES256", key, md5b64(short)), code: codeInvalidArgument, message: msgSSECBadMD5},
		{name: "sse-c md5 before length", headers: sseC("AES256", short, md5b64(key)), code: codeInvalidArgument, message: msgSSECBadMD5},
		{name: "sse-c short key", headers: sseC("AES256", short, md5b64(short)), code: codeInvalidArgument, message: msgSSECBadKey},
		{name: "sse-c over http", headers: sseC("AES256", key, md5b64(key)), plain: true, code: codeInvalidRequest, message: msgSSECInsecure},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("PUT", "/b/k", nil)
			if !tc.plain {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			got, err := encryptionRequest(r)
			if tc.code != "" {
				var api *apiError
				if !errors.As(err, &api) || api.Code != tc.code || (tc.message != "" && api.Message != tc.message) {
					t.Fatalf("err = %v, want %s %q", err, tc.code, tc.message)
				}
				if strings.Contains(api.ArgValue, b64(key)) || strings.Contains(api.Error(), b64(key)) {
					t.Fatal("customer key leaked into the error")
				}
				return
			}
			if err != nil || got.Type != tc.want {
				t.Fatalf("got %+v %v, want %s", got, err, tc.want)
			}
			if tc.want == coffer.SSEC && (got.CustomerKey == nil || string(got.CustomerKey.Key[:]) != string(key)) {
				t.Fatalf("customer key not carried")
			}
		})
	}
}

func TestRejectSSEHeader(t *testing.T) {
	h := http.Header{}
	if err := rejectSSEHeader(h); err != nil {
		t.Fatal(err)
	}
	h.Set(hdrSSE, "AES256")
	var api *apiError
	if err := rejectSSEHeader(h); !errors.As(err, &api) || api.Code != codeInvalidArgument || api.Message != msgSSENotForOp {
		t.Fatalf("got %v", err)
	}
}
