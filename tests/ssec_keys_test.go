package tests

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The SSE-C error messages (spec §3.4), as clients must see them.
const (
	msgSSECIncompatible   = "Server Side Encryption with Customer provided key is incompatible with the encryption method specified"
	msgSSECBadAlgorithm   = "The Encryption request you specified is not valid. Supported value: AES256."
	msgSSECNoAlgorithm    = "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm."
	msgSSECNoKey          = "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key."
	msgSSECNoMD5          = "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key."
	msgSSECBadKey         = "The secret key was invalid for the specified algorithm."
	msgSSECBadMD5         = "The calculated MD5 hash of the key did not match the hash that was provided."
	msgSSECKeyRequired    = "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."
	msgSSECWrongKey       = "Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key."
	msgSSECNotApplicable  = "The encryption parameters are not applicable to this object."
	msgSSECUploadPresence = "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters."
	msgSSECUploadMismatch = "The provided encryption parameters did not match the ones used originally."
	msgSSECInsecure       = "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."
	msgSSECBlocked        = "blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C)"
	msgHeadersNotSigned   = "There were headers present in the request which were not signed"
)

// ssecKey is an SSE-C customer key as clients send it: base64 of 32
// random bytes (distinctive, so a scan can look for it) and base64 of
// their MD5.
type ssecKey struct {
	raw    []byte
	b64    string
	md5    [16]byte
	md5b64 string
}

func newSSECKey(t *testing.T) ssecKey {
	t.Helper()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	return ssecKeyOf(raw)
}

// ssecKeyOf wraps any bytes (a key of the wrong length, say) with a
// consistent MD5.
func ssecKeyOf(raw []byte) ssecKey {
	sum := md5.Sum(raw)
	return ssecKey{raw: raw, b64: base64.StdEncoding.EncodeToString(raw), md5: sum, md5b64: base64.StdEncoding.EncodeToString(sum[:])}
}

// boto3 is the key as boto3 parameters (prefix "" or "CopySource"), with
// the MD5 given explicitly so botocore passes both values through.
func (k ssecKey) boto3(prefix string) map[string]any {
	return map[string]any{
		prefix + "SSECustomerAlgorithm": "AES256",
		prefix + "SSECustomerKey":       k.b64,
		prefix + "SSECustomerKeyMD5":    k.md5b64,
	}
}

// headers is the key as the HTTP headers a presigned request carries.
func (k ssecKey) headers() map[string]string {
	return map[string]string{
		"x-amz-server-side-encryption-customer-algorithm": "AES256",
		"x-amz-server-side-encryption-customer-key":       k.b64,
		"x-amz-server-side-encryption-customer-key-MD5":   k.md5b64,
	}
}

// sdk returns the three aws-sdk-go-v2 input fields.
func (k ssecKey) sdk() (algorithm, key, keyMD5 *string) {
	return aws.String("AES256"), aws.String(k.b64), aws.String(k.md5b64)
}

// forms are every way the key or its MD5 could be written down: raw,
// hex, base64 and URL-escaped base64.
func (k ssecKey) forms() [][]byte {
	var out [][]byte
	for _, secret := range [][]byte{k.raw, k.md5[:]} {
		b64 := base64.StdEncoding.EncodeToString(secret)
		out = append(out, secret, []byte(hex.EncodeToString(secret)), []byte(b64),
			[]byte(base64.RawURLEncoding.EncodeToString(secret)), []byte(url.QueryEscape(b64)))
	}
	return out
}

// merge returns the union of maps (later ones win).
func merge(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
