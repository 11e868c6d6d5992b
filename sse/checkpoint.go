package sse

import (
	"encoding/binary"
	"errors"

	"github.com/cofferlabs/coffer"
)

// Rewrap checkpoint, as kept in the KeyStore under checkpointName (see
// FORMAT.md):
//
//	[0]    checkpoint format version (checkpointV1)
//	[1:5]  master key version the run re-seals to, uint32 big endian
//	then   bucket and key of the last object done, each as a uint32 big
//	       endian length followed by the bytes
const (
	checkpointV1   byte = 1
	checkpointName      = "sse/rewrap/checkpoint"
	checkpointMax       = 1 + 4 + 4 + 63 + 4 + coffer.MaxObjectKeyLength
)

var errCheckpoint = errors.New("sse: rewrap checkpoint is malformed")

func encodeCheckpoint(version uint32, last coffer.ObjectID) []byte {
	out := make([]byte, 0, 1+4+4+len(last.Bucket)+4+len(last.Key))
	out = append(out, checkpointV1)
	out = binary.BigEndian.AppendUint32(out, version)
	for _, field := range []string{last.Bucket, last.Key} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(field)))
		out = append(out, field...)
	}
	return out
}

func decodeCheckpoint(b []byte) (uint32, coffer.ObjectID, error) {
	if len(b) < 1+4 || len(b) > checkpointMax || b[0] != checkpointV1 {
		return 0, coffer.ObjectID{}, errCheckpoint
	}
	version := binary.BigEndian.Uint32(b[1:5])
	rest := b[5:]
	var fields [2]string
	for i := range fields {
		if len(rest) < 4 {
			return 0, coffer.ObjectID{}, errCheckpoint
		}
		n := binary.BigEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(n) > uint64(len(rest)) {
			return 0, coffer.ObjectID{}, errCheckpoint
		}
		fields[i], rest = string(rest[:n]), rest[n:]
	}
	if len(rest) != 0 {
		return 0, coffer.ObjectID{}, errCheckpoint
	}
	return version, coffer.ObjectID{Bucket: fields[0], Key: fields[1]}, nil
}
