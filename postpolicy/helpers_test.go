package postpolicy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/cofferlabs/coffer/sigv4"
)

const (
	testAccessKey = "COFFERPOSTKEY0000001"
	testSecret    = "post/Secret+Key0123456789abcdefghijklmno"
	testRegion    = "eu-west-3"
)

var testNow = time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC)

func testSecrets(ak string) (string, bool) { return testSecret, ak == testAccessKey }

// signedForm returns a form carrying policy (JSON) signed for testNow plus
// the SigV4 fields and extra.
func signedForm(policy string, extra map[string]string) map[string]string {
	date := testNow.Format("20060102")
	b64 := base64.StdEncoding.EncodeToString([]byte(policy))
	m := hmac.New(sha256.New, sigv4.SigningKey(testSecret, date, testRegion, "s3"))
	m.Write([]byte(b64))
	form := map[string]string{
		"policy":           b64,
		"x-amz-algorithm":  "AWS4-HMAC-SHA256",
		"x-amz-credential": testAccessKey + "/" + date + "/" + testRegion + "/s3/aws4_request",
		"x-amz-date":       testNow.Format("20060102T150405Z"),
		"x-amz-signature":  hex.EncodeToString(m.Sum(nil)),
	}
	for k, v := range extra {
		form[k] = v
	}
	return form
}

// sigConditions covers the SigV4 fields every signed form carries.
const sigConditions = `{"x-amz-algorithm": "AWS4-HMAC-SHA256"}, ["starts-with", "$x-amz-credential", ""], ["starts-with", "$x-amz-date", ""]`

// resignPolicyField recomputes x-amz-signature over the form's policy field
// as it stands.
func resignPolicyField(form map[string]string) map[string]string {
	m := hmac.New(sha256.New, sigv4.SigningKey(testSecret, testNow.Format("20060102"), testRegion, "s3"))
	m.Write([]byte(form["policy"]))
	form["x-amz-signature"] = hex.EncodeToString(m.Sum(nil))
	return form
}
