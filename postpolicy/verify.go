package postpolicy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cofferlabs/coffer/sigv4"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	timeFormat = "20060102T150405Z"
	dateFormat = "20060102"
)

// Verify authenticates a POST form: it checks the SigV4 fields, that the
// signature is hex(HMAC(signing key, the policy field as sent)), decodes
// the policy and checks its expiration against now. form maps lower-case
// field names to values (any case is accepted); secret looks an access key
// up. The form's conditions are checked separately by Policy.Check.
func Verify(form map[string]string, secret func(accessKey string) (string, bool), now time.Time) (*Policy, error) {
	form = lowerKeys(form)
	policyB64 := form["policy"]
	if policyB64 == "" {
		for _, name := range []string{"x-amz-signature", "x-amz-credential", "x-amz-algorithm", "awsaccesskeyid", "signature"} {
			if _, ok := form[name]; ok {
				return nil, missingField("Policy")
			}
		}
		return nil, ErrNoPolicy
	}
	if _, ok := form["x-amz-algorithm"]; !ok {
		if _, v2 := form["awsaccesskeyid"]; v2 {
			return nil, fmt.Errorf("%w: signature version 2 POST policies", ErrUnsupportedAlgorithm)
		}
	}
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Signature"} {
		if form[strings.ToLower(name)] == "" {
			return nil, missingField(name)
		}
	}
	if alg := form["x-amz-algorithm"]; alg != algorithm {
		return nil, fmt.Errorf("%w: X-Amz-Algorithm %q", ErrUnsupportedAlgorithm, truncate(alg, 32))
	}
	cred, err := parseCredential(form["x-amz-credential"])
	if err != nil {
		return nil, err
	}
	amzDate := form["x-amz-date"]
	if _, err := time.Parse(timeFormat, amzDate); err != nil {
		return nil, invalidField("X-Amz-Date", amzDate, "X-Amz-Date must be formated via ISO8601 Long format")
	}
	if amzDate[:len(dateFormat)] != cred.date {
		return nil, invalidField("X-Amz-Date", amzDate, "X-Amz-Date must be on the date of the X-Amz-Credential scope")
	}
	key, ok := "", false
	if secret != nil {
		key, ok = secret(cred.accessKey)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrInvalidAccessKeyID, truncate(cred.accessKey, 128))
	}
	provided, err := hex.DecodeString(form["x-amz-signature"])
	expected := hmac.New(sha256.New, sigv4.SigningKey(key, cred.date, cred.region, "s3"))
	expected.Write([]byte(policyB64))
	if err != nil || !hmac.Equal(expected.Sum(nil), provided) {
		return nil, &sigv4.SignatureError{AccessKey: cred.accessKey, StringToSign: policyB64, SignatureProvided: truncate(form["x-amz-signature"], 128)}
	}
	doc, err := base64.StdEncoding.DecodeString(policyB64)
	if err != nil {
		return nil, malformed("invalid Base64 encoding.")
	}
	p, err := Parse(doc)
	if err != nil {
		return nil, err
	}
	if now.After(p.Expiration) {
		return nil, denied(ErrPolicyExpired, "Policy expired.")
	}
	p.AccessKey, p.Region = cred.accessKey, cred.region
	return p, nil
}

// credential is "AKID/YYYYMMDD/region/s3/aws4_request" taken apart.
type credential struct{ accessKey, date, region string }

func parseCredential(s string) (credential, error) {
	bad := func(msg string) error { return invalidField("X-Amz-Credential", s, msg) }
	parts := strings.Split(s, "/")
	if len(parts) != 5 {
		return credential{}, bad(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
	}
	c := credential{accessKey: parts[0], date: parts[1], region: parts[2]}
	switch _, err := time.Parse(dateFormat, c.date); {
	case c.accessKey == "":
		return credential{}, bad("a non-empty Access Key (AKID) must be provided in the credential.")
	case err != nil || len(c.date) != len(dateFormat):
		return credential{}, bad(fmt.Sprintf("incorrect date format %q. This date in the credential must be in the format \"yyyyMMdd\".", truncate(c.date, 32)))
	case c.region == "":
		return credential{}, bad("the region in the credential is empty.")
	case parts[3] != "s3":
		return credential{}, bad(fmt.Sprintf("incorrect service %q. This endpoint belongs to \"s3\".", truncate(parts[3], 32)))
	case parts[4] != "aws4_request":
		return credential{}, bad(fmt.Sprintf("incorrect terminal %q. This endpoint uses \"aws4_request\".", truncate(parts[4], 32)))
	}
	return c, nil
}

func lowerKeys(form map[string]string) map[string]string {
	out := make(map[string]string, len(form))
	for k, v := range form {
		out[strings.ToLower(k)] = v
	}
	return out
}
