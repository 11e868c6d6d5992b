package sse

import (
	"context"
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cofferlabs/coffer"
)

const (
	// s3ServicePrincipal is who the KMS sees calling on the caller's behalf.
	s3ServicePrincipal = "s3.amazonaws.com"
	// contextARNKey is the encryption context entry S3 adds (spec §1.6).
	contextARNKey = "aws:s3:arn"
	// maxContextBytes bounds the caller's context as stored; S3 caps the
	// header itself well below this.
	maxContextBytes = 8 << 10
)

// objectARN and bucketARN name what an encryption context binds a KMS
// data key to: one object, or (with an S3 Bucket Key) the whole bucket.
func objectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }
func bucketARN(bucket string) string      { return "arn:aws:s3:::" + bucket }

// kmsContext is the encryption context S3 sends the KMS: the caller's
// context with aws:s3:arn added (spec §1.6).
func kmsContext(user map[string]string, arn string) map[string]string {
	ec := make(map[string]string, len(user)+1)
	maps.Copy(ec, user)
	ec[contextARNKey] = arn
	return ec
}

// viaS3 is ctx as the KMS must see it: the same caller, marked as acting
// through S3, so key policies and the audit trail name both.
func viaS3(ctx context.Context) context.Context {
	info := coffer.RequestInfoFrom(ctx)
	info.ViaService = s3ServicePrincipal
	return coffer.WithRequestInfo(ctx, info)
}

const msgKMSNeedsSigV4 = "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4."

const msgKMSNeedsTLS = "Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection."

// checkKMSCaller refuses SSE-KMS, writes and reads alike, to anonymous and
// SigV2 callers and over plain HTTP, as S3 does (spec §3.4, §3.5). A
// context with neither principal nor request facts is an internal caller
// (administration, tests) and passes.
func checkKMSCaller(ctx context.Context) error {
	p, hasPrincipal := coffer.PrincipalFrom(ctx)
	info := coffer.RequestInfoFrom(ctx)
	if (hasPrincipal && p.Anonymous) || info.SignatureVersion == 2 {
		return &coffer.ArgumentError{Name: "Authorization", Message: msgKMSNeedsSigV4}
	}
	if info.SourceIP != "" && !info.SecureTransport {
		return &coffer.ArgumentError{Name: sseHeader, Value: string(coffer.SSEKMS), Message: msgKMSNeedsTLS}
	}
	return nil
}

// validateUserContext refuses what a caller may not put in an SSE-KMS
// encryption context: keys in the reserved aws: namespace (S3 adds
// aws:s3:arn itself), invalid UTF-8, and more than maxContextBytes.
func validateUserContext(ec map[string]string) error {
	for k, v := range ec {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return &coffer.ArgumentError{Name: sseHeader + "-context", Message: "The encryption context may not contain keys in the reserved aws: namespace."}
		}
		if k == "" || !utf8.ValidString(k) || !utf8.ValidString(v) {
			return &coffer.ArgumentError{Name: sseHeader + "-context", Message: "The encryption context must map non-empty UTF-8 strings to UTF-8 strings."}
		}
	}
	if _, err := encodeContext(ec); err != nil {
		return &coffer.ArgumentError{Name: sseHeader + "-context", Message: "The encryption context is too large."}
	}
	return nil
}

var errContextEncoding = errors.New("encryption context encoding is malformed")

// encodeContext is the canonical serialization of an encryption context
// (the AWS Encryption SDK's): empty for an empty context, else
// uint16(count) and, in byte order of the keys, uint16(len(key)) || key ||
// uint16(len(value)) || value. Two contexts encode alike only if equal.
func encodeContext(ec map[string]string) ([]byte, error) {
	if len(ec) == 0 {
		return nil, nil
	}
	if len(ec) > 0xffff {
		return nil, errContextEncoding
	}
	keys := slices.Sorted(maps.Keys(ec))
	out := binary.BigEndian.AppendUint16(nil, uint16(len(keys)))
	for _, k := range keys {
		v := ec[k]
		if len(k) > 0xffff || len(v) > 0xffff {
			return nil, errContextEncoding
		}
		out = binary.BigEndian.AppendUint16(out, uint16(len(k)))
		out = append(out, k...)
		out = binary.BigEndian.AppendUint16(out, uint16(len(v)))
		out = append(out, v...)
		if len(out) > maxContextBytes {
			return nil, errContextEncoding
		}
	}
	return out, nil
}

// decodeContext is the inverse of encodeContext; it accepts only the
// canonical form (keys unique and in order, nothing left over), so a
// decoded context re-encodes to the same bytes.
func decodeContext(b []byte) (map[string]string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b) > maxContextBytes || len(b) < 2 {
		return nil, errContextEncoding
	}
	count := int(binary.BigEndian.Uint16(b))
	if count == 0 {
		return nil, errContextEncoding
	}
	rest := b[2:]
	ec := make(map[string]string, count)
	prev := ""
	for i := 0; i < count; i++ {
		var k, v string
		var ok bool
		if k, rest, ok = cutField16(rest); !ok {
			return nil, errContextEncoding
		}
		if v, rest, ok = cutField16(rest); !ok {
			return nil, errContextEncoding
		}
		if (i > 0 && k <= prev) || k == "" || !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, errContextEncoding
		}
		ec[k], prev = v, k
	}
	if len(rest) != 0 {
		return nil, errContextEncoding
	}
	return ec, nil
}

// cutField16 splits a uint16-length-prefixed field off b.
func cutField16(b []byte) (string, []byte, bool) {
	if len(b) < 2 {
		return "", nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b)-2 < n {
		return "", nil, false
	}
	return string(b[2 : 2+n]), b[2+n:], true
}
