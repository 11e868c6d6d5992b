package sse

import (
	"encoding/binary"
	"errors"

	"github.com/cofferlabs/coffer"
)

// Rewrap checkpoint, as kept in the KeyStore under checkpointName (see
// FORMAT.md):
//
//	[0]    checkpoint format version (checkpointV2)
//	[1:5]  master key version the run re-seals to, uint32 big endian
//	[5]    phase: 1 objects, 2 uploads
//	then   bucket, key and upload ID of the last record done, each as a
//	       uint32 big endian length followed by the bytes (the upload ID
//	       is empty in the objects phase)
//
// Version 1 (no phase, no upload ID) came before uploads were re-wrapped;
// it no longer decodes, which costs a full (cheap) walk once.
const (
	checkpointV2       byte = 2
	checkpointName          = "sse/rewrap/checkpoint"
	maxCheckpointField      = coffer.MaxObjectKeyLength
	checkpointMax           = 1 + 4 + 1 + 3*(4+maxCheckpointField)
)

var errCheckpoint = errors.New("sse: rewrap checkpoint is malformed")

// rewrapPhase says which records a Rewrap run is walking: all objects
// first, then all uploads.
type rewrapPhase byte

const (
	phaseObjects rewrapPhase = 1
	phaseUploads rewrapPhase = 2
)

// rewrapPosition is the last record a Rewrap run visited. The zero value
// (no phase) means nothing was visited: start from the beginning.
type rewrapPosition struct {
	Phase    rewrapPhase
	Bucket   string
	Key      string
	UploadID string // uploads phase only
}

func objectPosition(rec coffer.ObjectRecord) rewrapPosition {
	return rewrapPosition{Phase: phaseObjects, Bucket: rec.Bucket, Key: rec.Key}
}

func uploadPosition(up coffer.UploadRecord) rewrapPosition {
	return rewrapPosition{Phase: phaseUploads, Bucket: up.Bucket, Key: up.Key, UploadID: up.ID}
}

func encodeCheckpoint(version uint32, at rewrapPosition) []byte {
	out := make([]byte, 0, 1+4+1+3*4+len(at.Bucket)+len(at.Key)+len(at.UploadID))
	out = append(out, checkpointV2)
	out = binary.BigEndian.AppendUint32(out, version)
	out = append(out, byte(at.Phase))
	for _, field := range []string{at.Bucket, at.Key, at.UploadID} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(field)))
		out = append(out, field...)
	}
	return out
}

func decodeCheckpoint(b []byte) (uint32, rewrapPosition, error) {
	if len(b) < 1+4+1 || len(b) > checkpointMax || b[0] != checkpointV2 {
		return 0, rewrapPosition{}, errCheckpoint
	}
	version := binary.BigEndian.Uint32(b[1:5])
	phase := rewrapPhase(b[5])
	if phase != phaseObjects && phase != phaseUploads {
		return 0, rewrapPosition{}, errCheckpoint
	}
	rest := b[6:]
	var fields [3]string
	for i := range fields {
		if len(rest) < 4 {
			return 0, rewrapPosition{}, errCheckpoint
		}
		n := binary.BigEndian.Uint32(rest)
		rest = rest[4:]
		if n > maxCheckpointField || uint64(n) > uint64(len(rest)) {
			return 0, rewrapPosition{}, errCheckpoint
		}
		fields[i], rest = string(rest[:n]), rest[n:]
	}
	if len(rest) != 0 || (phase == phaseObjects && fields[2] != "") {
		return 0, rewrapPosition{}, errCheckpoint
	}
	return version, rewrapPosition{Phase: phase, Bucket: fields[0], Key: fields[1], UploadID: fields[2]}, nil
}
