package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"time"
)

// A NextToken is base64url(version || uint64be(seq) || digest || mac):
// seq is the last event returned (the next page starts below it), digest
// the first 8 bytes of SHA-256 over the query's attributes and times, and
// mac the first 16 bytes of HMAC-SHA256(tokenKey, the preceding bytes).
// The MAC makes tokens unforgeable; the digest refuses a token used with
// other parameters, as CloudTrail does.
const (
	tokenVersion = 1
	tokenDigest  = 8
	tokenMAC     = 16
	tokenSize    = 1 + 8 + tokenDigest + tokenMAC
)

func encodeToken(key []byte, seq uint64, q Query) string {
	b := make([]byte, 0, tokenSize)
	b = append(b, tokenVersion)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = append(b, queryDigest(q)...)
	b = append(b, tokenTag(key, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(key []byte, text string, q Query) (uint64, error) {
	b, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(b) != tokenSize || b[0] != tokenVersion ||
		!hmac.Equal(b[tokenSize-tokenMAC:], tokenTag(key, b[:tokenSize-tokenMAC])) {
		return 0, queryError(ErrInvalidNextToken, "the NextToken is not valid")
	}
	if !hmac.Equal(b[9:9+tokenDigest], queryDigest(q)) {
		return 0, queryError(ErrInvalidNextToken, "the NextToken was issued for other lookup attributes or times")
	}
	return binary.BigEndian.Uint64(b[1:9]), nil
}

func tokenTag(key, b []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return m.Sum(nil)[:tokenMAC]
}

// queryDigest covers what a continued query must repeat: attributes and
// times (not MaxResults, which may change between pages).
func queryDigest(q Query) []byte {
	h := sha256.New()
	field := func(s string) {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
		h.Write([]byte(s))
	}
	for _, a := range q.Attributes {
		field(string(a.Key))
		field(a.Value)
	}
	for _, t := range []time.Time{q.StartTime, q.EndTime} {
		if t.IsZero() {
			field("")
		} else {
			field(strconv.FormatInt(t.Unix(), 10) + "." + strconv.Itoa(t.Nanosecond()))
		}
	}
	return h.Sum(nil)[:tokenDigest]
}
