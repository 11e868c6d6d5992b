package kms

import (
	"encoding/binary"
	"math"
	"sort"
)

// canonicalContext serializes an encryption context as the AWS Encryption
// SDK does: uint16 pair count, then each pair sorted by key bytes as
// uint16 key length, key, uint16 value length, value. An empty context is
// the empty string. Distinct contexts never encode alike ({"ab":"c"} and
// {"a":"bc"} differ in their lengths), so they can serve as AAD.
func canonicalContext(ec map[string]string) ([]byte, bool) {
	if len(ec) == 0 {
		return nil, true
	}
	if len(ec) > math.MaxUint16 {
		return nil, false
	}
	keys := make([]string, 0, len(ec))
	size := 2
	for k, v := range ec {
		if len(k) > math.MaxUint16 || len(v) > math.MaxUint16 {
			return nil, false
		}
		keys = append(keys, k)
		size += 4 + len(k) + len(v)
	}
	sort.Strings(keys) // Go compares strings bytewise: UTF-8 byte order
	out := make([]byte, 0, size)
	out = binary.BigEndian.AppendUint16(out, uint16(len(keys)))
	for _, k := range keys {
		out = binary.BigEndian.AppendUint16(out, uint16(len(k)))
		out = append(out, k...)
		out = binary.BigEndian.AppendUint16(out, uint16(len(ec[k])))
		out = append(out, ec[k]...)
	}
	return out, true
}
