package sse

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/cofferlabs/coffer"
)

const etagLabel = "coffer/sse/etag/v1"

// objectETag is the ETag a write reports for a stream whose plaintext MD5
// is sum. SSE-S3 keeps the MD5, which clients compare with their own
// (spec §3.9). SSE-KMS and SSE-C report a keyed hash of the MD5 under the
// object's data key instead: S3's SSE-KMS and SSE-C ETags are not the MD5
// (and differ between two PUTs of the same body), and a hash only
// the key holder can compute tells nothing about the plaintext, yet stays
// the object's ETag for as long as it exists (re-wrapping keeps it).
func objectETag(typ coffer.SSEType, dataKey, sum []byte) string {
	if typ == coffer.SSES3 {
		return hex.EncodeToString(sum)
	}
	mac := hmac.New(sha256.New, dataKey)
	mac.Write([]byte(etagLabel))
	mac.Write(sum)
	return hex.EncodeToString(mac.Sum(nil)[:16])
}
