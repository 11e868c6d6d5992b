package sse

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

const (
	streamKeyLabel = "coffer/dare-stream/v1"
	partNonceSize  = 16
)

// streamKey derives the dare key of one data stream from the object's data
// key: part 0 with no nonce for single-part objects, or the part number and
// the part's random nonce, so that re-uploading a part never reuses a key
// and no two streams of an object share one.
func streamKey(dataKey []byte, part int, nonce []byte) []byte {
	mac := hmac.New(sha256.New, dataKey)
	mac.Write([]byte(streamKeyLabel))
	mac.Write(binary.BigEndian.AppendUint32(nil, uint32(part)))
	mac.Write(nonce)
	return mac.Sum(nil)
}
