package postpolicy

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/cofferlabs/coffer/sigv4"
)

const (
	exampleAccessKey = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func exampleSecrets(ak string) (string, bool) { return exampleSecret, ak == exampleAccessKey }

// The S3 developer guide's "sigv4-post-example", frozen: the policy (with
// its CRLF line ends), its base64 and the published signature.
const (
	awsExamplePolicy = "{ \"expiration\": \"2015-12-30T12:00:00.000Z\",\r\n" +
		"  \"conditions\": [\r\n" +
		"    {\"bucket\": \"sigv4examplebucket\"},\r\n" +
		"    [\"starts-with\", \"$key\", \"user/user1/\"],\r\n" +
		"    {\"acl\": \"public-read\"},\r\n" +
		"    {\"success_action_redirect\": \"http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html\"},\r\n" +
		"    [\"starts-with\", \"$Content-Type\", \"image/\"],\r\n" +
		"    {\"x-amz-meta-uuid\": \"14365123651274\"},\r\n" +
		"    {\"x-amz-server-side-encryption\": \"AES256\"},\r\n" +
		"    [\"starts-with\", \"$x-amz-meta-tag\", \"\"],\r\n" +
		"\r\n" +
		"    {\"x-amz-credential\": \"AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request\"},\r\n" +
		"    {\"x-amz-algorithm\": \"AWS4-HMAC-SHA256\"},\r\n" +
		"    {\"x-amz-date\": \"20151229T000000Z\" }\r\n" +
		"  ]\r\n" +
		"}"
	awsExamplePolicyB64 = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9"
	awsExampleSignature = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
)

// awsExampleForm is the example's form with the field names as the page
// writes them, ${filename} expanded for a file called photo.jpg.
func awsExampleForm() map[string]string {
	return map[string]string{
		"key":                          "user/user1/photo.jpg",
		"acl":                          "public-read",
		"success_action_redirect":      "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html",
		"Content-Type":                 "image/jpeg",
		"x-amz-meta-uuid":              "14365123651274",
		"x-amz-server-side-encryption": "AES256",
		"X-Amz-Credential":             "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request",
		"X-Amz-Algorithm":              "AWS4-HMAC-SHA256",
		"X-Amz-Date":                   "20151229T000000Z",
		"x-amz-meta-tag":               "",
		"Policy":                       awsExamplePolicyB64,
		"X-Amz-Signature":              awsExampleSignature,
	}
}

func withBucket(form map[string]string, bucket string) map[string]string {
	out := map[string]string{"bucket": bucket}
	for k, v := range form {
		out[k] = v
	}
	return out
}

func TestAWSExampleVector(t *testing.T) {
	if base64.StdEncoding.EncodeToString([]byte(awsExamplePolicy)) != awsExamplePolicyB64 {
		t.Fatal("frozen policy and its base64 disagree")
	}
	form := awsExampleForm()
	p, err := Verify(form, exampleSecrets, time.Date(2015, 12, 29, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if p.AccessKey != exampleAccessKey || p.Region != "us-east-1" || !p.Expiration.Equal(time.Date(2015, 12, 30, 12, 0, 0, 0, time.UTC)) || len(p.Conditions) != 11 {
		t.Fatalf("Policy = %+v", p)
	}
	if err := p.Check(withBucket(form, "sigv4examplebucket"), 1234); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := p.Check(withBucket(form, "otherbucket"), 1234); !errors.Is(err, ErrPolicyConditionFailed) ||
		err.Error() != `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "sigv4examplebucket"]` {
		t.Fatalf("Check on another bucket = %v", err)
	}
	_, err = Verify(form, exampleSecrets, time.Date(2015, 12, 30, 12, 0, 0, 1e6, time.UTC))
	if !errors.Is(err, ErrPolicyExpired) || err.Error() != "Invalid according to Policy: Policy expired." {
		t.Fatalf("Verify after expiry = %v", err)
	}
}

// botocore's generate_presigned_post for the same credentials and day,
// as recorded in a published research note and checked here.
func TestBotocoreVector(t *testing.T) {
	form := map[string]string{
		"key":              "user/user1/photo.jpg",
		"x-amz-algorithm":  "AWS4-HMAC-SHA256",
		"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request",
		"x-amz-date":       "20151229T000000Z",
		"policy":           "eyJleHBpcmF0aW9uIjogIjIwMTUtMTItMjlUMDE6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAic2lndjRleGFtcGxlYnVja2V0In0sIHsia2V5IjogInVzZXIvdXNlcjEvcGhvdG8uanBnIn0sIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwgeyJ4LWFtei1jcmVkZW50aWFsIjogIkFLSUFJT1NGT0ROTjdFWEFNUExFLzIwMTUxMjI5L3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QifSwgeyJ4LWFtei1kYXRlIjogIjIwMTUxMjI5VDAwMDAwMFoifV19",
		"x-amz-signature":  "3364624b39010d9b06f5d9b8c9a18a6e478d261c048159c92f2fd6fa885f14e6",
	}
	p, err := Verify(form, exampleSecrets, time.Date(2015, 12, 29, 0, 59, 59, 0, time.UTC))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := p.Check(withBucket(form, "sigv4examplebucket"), 10); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

func TestSignatureErrorCarriesThePolicy(t *testing.T) {
	form := awsExampleForm()
	form["Policy"] = awsExamplePolicyB64[:len(awsExamplePolicyB64)-2]
	_, err := Verify(form, exampleSecrets, time.Date(2015, 12, 29, 0, 0, 0, 0, time.UTC))
	var se *sigv4.SignatureError
	if !errors.As(err, &se) || !errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Fatalf("Verify with a truncated policy = %v", err)
	}
	if se.StringToSign != form["Policy"] || se.AccessKey != exampleAccessKey || se.SignatureProvided != awsExampleSignature {
		t.Fatalf("SignatureError = %+v", se)
	}
}
