package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"reflect"
	"testing"

	"github.com/cofferlabs/coffer"
)

// botoBucketEncryption is the body boto3 sends for PutBucketEncryption
// (spec §3.7).
const botoBucketEncryption = `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:111122223333:key/abc</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled><BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`

func TestParseEncryptionConfiguration(t *testing.T) {
	cases := []struct {
		name string
		body string
		want coffer.BucketEncryption
		err  bool
	}{
		{name: "boto3", body: botoBucketEncryption, want: coffer.BucketEncryption{Algorithm: coffer.SSEKMS,
			KMSMasterKeyID: "arn:aws:kms:us-east-1:111122223333:key/abc", BucketKeyEnabled: true, BlockedEncryptionTypes: []string{"SSE-C"}}},
		{name: "AES256 without namespace", body: `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
			want: coffer.BucketEncryption{Algorithm: coffer.SSES3}},
		{name: "only blocked types", body: `<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`,
			want: coffer.BucketEncryption{Algorithm: coffer.SSES3, BlockedEncryptionTypes: []string{"NONE"}}},
		{name: "no rules", body: `<ServerSideEncryptionConfiguration/>`, err: true},
		{name: "two rules", body: `<ServerSideEncryptionConfiguration><Rule/><Rule/></ServerSideEncryptionConfiguration>`, err: true},
		{name: "empty algorithm", body: `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault/></Rule></ServerSideEncryptionConfiguration>`, err: true},
		{name: "bad bucket key", body: `<ServerSideEncryptionConfiguration><Rule><BucketKeyEnabled>yes</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`, err: true},
		{name: "other document", body: `<Delete/>`, err: true},
		{name: "not XML", body: `{}`, err: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseEncryptionConfiguration([]byte(tc.body))
			if tc.err {
				if !errors.Is(err, errMalformedXML) {
					t.Fatalf("err = %v, want MalformedXML", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v %v, want %+v", got, err, tc.want)
			}
		})
	}
}

// TestEncryptionDocumentMatchesBoto3: what GetBucketEncryption sends for
// boto3's own rule is byte for byte what boto3 sent.
func TestEncryptionDocumentMatchesBoto3(t *testing.T) {
	enc, err := parseEncryptionConfiguration([]byte(botoBucketEncryption))
	if err != nil {
		t.Fatal(err)
	}
	out, err := xml.Marshal(encryptionDocument(enc))
	if err != nil || string(out) != botoBucketEncryption {
		t.Fatalf("rendered %s %v", out, err)
	}
}

// FuzzParseEncryptionConfiguration: no input panics, and a rule that
// parses survives rendering and parsing again unchanged.
func FuzzParseEncryptionConfiguration(f *testing.F) {
	f.Add([]byte(botoBucketEncryption))
	f.Add([]byte(`<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`))
	f.Add([]byte(`<ServerSideEncryptionConfiguration><Rule/><Rule/></ServerSideEncryptionConfiguration>`))
	f.Add([]byte(`<x`))
	f.Fuzz(func(t *testing.T, body []byte) {
		enc, err := parseEncryptionConfiguration(body)
		if err != nil {
			return
		}
		out, err := xml.Marshal(encryptionDocument(enc))
		if err != nil {
			return // values XML cannot carry (say, control characters)
		}
		again, err := parseEncryptionConfiguration(out)
		if err != nil || !reflect.DeepEqual(again, enc) {
			t.Fatalf("%+v renders as %s, which parses as %+v (%v)", enc, out, again, err)
		}
	})
}

func TestParseObjectEncryption(t *testing.T) {
	const arn = "arn:aws:kms:us-east-1:123456789012:key/abc"
	yes := true
	cases := []struct {
		name string
		body string
		want coffer.EncryptionRequest
		code errorCode
	}{
		{name: "SDK document", body: `<ObjectEncryption xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><SSE-KMS><KMSKeyArn>` + arn + `</KMSKeyArn><BucketKeyEnabled>true</BucketKeyEnabled></SSE-KMS></ObjectEncryption>`,
			want: coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSKeyID: arn, BucketKeyEnabled: &yes}},
		{name: "no bucket key", body: `<ObjectEncryption><SSE-KMS><KMSKeyArn>` + arn + `</KMSKeyArn></SSE-KMS></ObjectEncryption>`,
			want: coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSKeyID: arn}},
		{name: "no member", body: `<ObjectEncryption/>`, code: codeInvalidRequest},
		{name: "bad bucket key", body: `<ObjectEncryption><SSE-KMS><KMSKeyArn>a</KMSKeyArn><BucketKeyEnabled>1x</BucketKeyEnabled></SSE-KMS></ObjectEncryption>`, code: codeInvalidRequest},
		{name: "not XML", body: `<`, code: codeMalformedXML},
		{name: "other document", body: `<Delete/>`, code: codeMalformedXML},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseObjectEncryption([]byte(tc.body))
			if tc.code != "" {
				var api *apiError
				if !errors.As(err, &api) || api.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v %v, want %+v", got, err, tc.want)
			}
		})
	}
}

// FuzzParseObjectEncryption: no input panics; a parsed request is SSE-KMS.
func FuzzParseObjectEncryption(f *testing.F) {
	f.Add([]byte(`<ObjectEncryption><SSE-KMS><KMSKeyArn>arn:aws:kms:us-east-1:123456789012:key/abc</KMSKeyArn><BucketKeyEnabled>true</BucketKeyEnabled></SSE-KMS></ObjectEncryption>`))
	f.Add([]byte(`<ObjectEncryption/>`))
	f.Add([]byte(`<`))
	f.Fuzz(func(t *testing.T, body []byte) {
		enc, err := parseObjectEncryption(body)
		if err == nil && enc.Type != coffer.SSEKMS {
			t.Fatalf("parsed %+v", enc)
		}
	})
}

// FuzzParseKMSContext: no input panics; a context that parses is a
// string map that re-encodes to an equal one.
func FuzzParseKMSContext(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"a":"b","c":""}`)))
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)))
	f.Add(base64.StdEncoding.EncodeToString([]byte(`null`)))
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, header string) {
		ec, err := parseKMSContext(header)
		if err != nil {
			return
		}
		if ec == nil {
			t.Fatal("nil context without an error")
		}
	})
}
