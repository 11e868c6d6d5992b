package s3api

import (
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/cofferlabs/coffer"
)

// Encryption request headers (spec §3.1).
const (
	hdrSSE           = "x-amz-server-side-encryption"
	hdrSSEKMSKeyID   = "x-amz-server-side-encryption-aws-kms-key-id"
	hdrSSEContext    = "x-amz-server-side-encryption-context"
	hdrSSEBucketKey  = "x-amz-server-side-encryption-bucket-key-enabled"
	hdrSSECAlgorithm = "x-amz-server-side-encryption-customer-algorithm"
	hdrSSECKey       = "x-amz-server-side-encryption-customer-key"
	hdrSSECKeyMD5    = "x-amz-server-side-encryption-customer-key-MD5"
)

// ssecHeaders names an SSE-C trio: the object's own, or a copy source's.
type ssecHeaders struct{ algorithm, key, keyMD5 string }

var (
	objectSSEC     = ssecHeaders{hdrSSECAlgorithm, hdrSSECKey, hdrSSECKeyMD5}
	copySourceSSEC = ssecHeaders{
		"x-amz-copy-source-server-side-encryption-customer-algorithm",
		"x-amz-copy-source-server-side-encryption-customer-key",
		"x-amz-copy-source-server-side-encryption-customer-key-MD5",
	}
)

const (
	msgSSECIncompatible = "Server Side Encryption with Customer provided key is incompatible with the encryption method specified"
	msgSSECNoAlgorithm  = "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm."
	msgSSECNoKey        = "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key."
	msgSSECNoMD5        = "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key."
	msgSSECBadMD5       = "The calculated MD5 hash of the key did not match the hash that was provided."
	msgSSECBadKey       = "The secret key was invalid for the specified algorithm."
	msgSSECInsecure     = "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."
	msgKMSInsecure      = "Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection."
	msgKMSNeedsHeader   = "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms"
	msgSSEUnsupported   = "The encryption method specified is not supported"
	msgSSENotForOp      = "x-amz-server-side-encryption header is not supported for this operation."
	msgSSEContext       = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map"
	msgKMSNeedsSigV4    = "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4."
)

// requireSigV4ForKMS refuses SSE-KMS to SigV2 and anonymous requests
// (spec §3.4); the Service applies the same rule to reads of SSE-KMS
// objects and to bucket defaults.
func requireSigV4ForKMS(r *http.Request) error {
	p, _ := coffer.PrincipalFrom(r.Context())
	if p.Anonymous || coffer.RequestInfoFrom(r.Context()).SignatureVersion == 2 {
		return argumentError(codeInvalidArgument, "Authorization", "", msgKMSNeedsSigV4)
	}
	return nil
}

// encryptionRequest reads the encryption a write asks for: SSE-S3,
// SSE-KMS (key id, context, bucket key) or SSE-C, validated in the order
// S3 applies (spec §3.4).
func encryptionRequest(r *http.Request) (coffer.EncryptionRequest, error) {
	h := r.Header
	var req coffer.EncryptionRequest
	sse := h.Get(hdrSSE)
	if sse != "" && hasCustomerKeyHeaders(h, objectSSEC) {
		return req, argumentError(codeInvalidArgument, hdrSSE, sse, msgSSECIncompatible)
	}
	key, err := customerKey(r, objectSSEC)
	if err != nil {
		return req, err
	}
	if key != nil {
		req.Type = coffer.SSEC
		req.CustomerKey = key
		return req, nil
	}
	if v := h.Get(hdrSSEBucketKey); v != "" {
		enabled, err := strconv.ParseBool(v)
		if err != nil {
			return req, argumentError(codeInvalidArgument, hdrSSEBucketKey, v, "The bucket key setting must be true or false.")
		}
		req.BucketKeyEnabled = &enabled
	}
	kmsKey, kmsContext := h.Get(hdrSSEKMSKeyID), h.Get(hdrSSEContext)
	switch coffer.SSEType(sse) {
	case "":
	case coffer.SSES3:
		req.Type = coffer.SSES3
	case coffer.SSEKMS:
		if !isSecure(r) {
			return req, argumentError(codeInvalidArgument, hdrSSE, sse, msgKMSInsecure)
		}
		if err := requireSigV4ForKMS(r); err != nil {
			return req, err
		}
		req.Type = coffer.SSEKMS
		req.KMSKeyID = kmsKey
		if kmsContext != "" {
			if req.KMSContext, err = parseKMSContext(kmsContext); err != nil {
				return req, err
			}
		}
		return req, nil
	case "aws:kms:dsse":
		return req, newError(codeNotImplemented, "Dual-layer server-side encryption (aws:kms:dsse) is not implemented by this server.")
	default:
		return req, argumentError(codeInvalidArgument, hdrSSE, sse, msgSSEUnsupported)
	}
	if kmsKey != "" || kmsContext != "" {
		return req, argumentError(codeInvalidArgument, hdrSSE, sse, msgKMSNeedsHeader)
	}
	return req, nil
}

// parseKMSContext decodes base64(JSON string->string map).
func parseKMSContext(v string) (map[string]string, error) {
	raw, err := base64.StdEncoding.DecodeString(v)
	var ctx map[string]string
	if err != nil || !utf8.Valid(raw) || json.Unmarshal(raw, &ctx) != nil || ctx == nil {
		return nil, argumentError(codeInvalidArgument, hdrSSEContext, "", msgSSEContext)
	}
	return ctx, nil
}

// rejectSSEHeader refuses x-amz-server-side-encryption on operations that
// take their encryption from elsewhere (GET, HEAD, UploadPart).
func rejectSSEHeader(h http.Header) error {
	if v := h.Get(hdrSSE); v != "" {
		return argumentError(codeInvalidArgument, hdrSSE, v, msgSSENotForOp)
	}
	return nil
}

func hasCustomerKeyHeaders(h http.Header, names ssecHeaders) bool {
	return h.Get(names.algorithm) != "" || h.Get(names.key) != "" || h.Get(names.keyMD5) != ""
}

// customerKey reads an SSE-C trio (objectSSEC for the object itself,
// copySourceSSEC for a copy source); nil when none was sent. Errors never
// carry the key.
func customerKey(r *http.Request, names ssecHeaders) (*coffer.CustomerKey, error) {
	h := r.Header
	if !hasCustomerKeyHeaders(h, names) {
		return nil, nil
	}
	algorithm, encoded, sum := h.Get(names.algorithm), h.Get(names.key), h.Get(names.keyMD5)
	switch {
	case algorithm != "" && algorithm != "AES256":
		return nil, argumentError(codeInvalidEncryptionAlgorithm, hdrSSE, algorithm, "")
	case algorithm == "":
		return nil, argumentError(codeInvalidArgument, hdrSSE, "", msgSSECNoAlgorithm)
	case encoded == "":
		return nil, argumentError(codeInvalidArgument, names.key, "", msgSSECNoKey)
	case sum == "":
		return nil, argumentError(codeInvalidArgument, names.keyMD5, "", msgSSECNoMD5)
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	defer clear(raw)
	if err != nil {
		return nil, argumentError(codeInvalidArgument, names.key, "", msgSSECBadKey)
	}
	want, err := base64.StdEncoding.DecodeString(sum)
	got := md5.Sum(raw)
	if err != nil || subtle.ConstantTimeCompare(got[:], want) != 1 {
		return nil, argumentError(codeInvalidArgument, hdrSSE, "", msgSSECBadMD5)
	}
	if len(raw) != 32 {
		return nil, argumentError(codeInvalidArgument, names.key, "", msgSSECBadKey)
	}
	if !isSecure(r) {
		return nil, newError(codeInvalidRequest, msgSSECInsecure)
	}
	key := &coffer.CustomerKey{MD5: sum}
	copy(key.Key[:], raw)
	return key, nil
}

// readCustomerKey is customerKey for reads (GET, HEAD, GetObjectAttributes,
// copy sources). A key longer than 32 bytes whose MD5 matches is what
// botocore sends when given an already-base64 key without its MD5 (it
// encodes it again, spec §3.10); S3 answers that on reads as a wrong key
// (403), while a short key stays a 400 (spec §3.4): we do the same.
func readCustomerKey(r *http.Request, names ssecHeaders) (*coffer.CustomerKey, error) {
	key, err := customerKey(r, names)
	if err != nil && isOverlongCustomerKey(r.Header, names) && isSecure(r) {
		return nil, coffer.ErrCustomerKeyMismatch
	}
	return key, err
}

func isOverlongCustomerKey(h http.Header, names ssecHeaders) bool {
	raw, err := base64.StdEncoding.DecodeString(h.Get(names.key))
	defer clear(raw)
	if err != nil || len(raw) <= 32 || h.Get(names.algorithm) != "AES256" {
		return false
	}
	want, err := base64.StdEncoding.DecodeString(h.Get(names.keyMD5))
	got := md5.Sum(raw)
	return err == nil && subtle.ConstantTimeCompare(got[:], want) == 1
}

// setKMSContextHeader reports, on the writes that take one (PutObject,
// CopyObject, CreateMultipartUpload), the encryption context the KMS was
// given: the caller's context merged with the object's ARN, or the
// bucket's when a bucket key protects the object (spec §1.6, §3.3). GET
// and HEAD never carry it.
func setKMSContextHeader(h http.Header, bucket, key string, user map[string]string, enc coffer.EncryptionInfo) {
	if enc.Type != coffer.SSEKMS {
		return
	}
	ec := make(map[string]string, len(user)+1)
	for k, v := range user {
		ec[k] = v
	}
	ec["aws:s3:arn"] = "arn:aws:s3:::" + bucket + "/" + key
	if enc.BucketKeyEnabled {
		ec["aws:s3:arn"] = "arn:aws:s3:::" + bucket
	}
	var doc bytes.Buffer
	encoder := json.NewEncoder(&doc)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(ec); err != nil {
		return // a string map always encodes
	}
	h.Set(hdrSSEContext, base64.StdEncoding.EncodeToString(bytes.TrimSuffix(doc.Bytes(), []byte("\n"))))
}

// setEncryptionHeaders reports how an object is encrypted (spec §3.3):
// SSE-C objects show only the customer algorithm and key MD5.
func setEncryptionHeaders(h http.Header, enc coffer.EncryptionInfo) {
	switch enc.Type {
	case coffer.SSEC:
		h.Set(hdrSSECAlgorithm, "AES256")
		h.Set(hdrSSECKeyMD5, enc.CustomerKeyMD5)
		return
	case "":
		return
	}
	h.Set(hdrSSE, string(enc.Type))
	if enc.KMSKeyARN != "" {
		h.Set(hdrSSEKMSKeyID, enc.KMSKeyARN)
	}
	if enc.BucketKeyEnabled {
		h.Set(hdrSSEBucketKey, "true")
	}
}
