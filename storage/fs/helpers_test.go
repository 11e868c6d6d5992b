package fs

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/cofferlabs/coffer"
)

// testData returns n deterministic pseudo-random bytes.
func testData(seed uint64, n int) []byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	b := make([]byte, n)
	rand.NewChaCha8(key).Read(b)
	return b
}

func sha256Hex(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// putObject stores data with its SHA-256 as ETag and version in metadata.
func putObject(ctx context.Context, s coffer.Store, bucket, key string, version int, data []byte) error {
	w, err := s.NewObjectWriter(ctx, bucket, key)
	if err != nil {
		return err
	}
	rec := coffer.ObjectRecord{ETag: sha256Hex(data), Size: int64(len(data)),
		Meta: coffer.ObjectMeta{User: map[string]string{"v": strconv.Itoa(version)}}}
	for len(data) > 0 {
		n := min(len(data), 64<<10)
		if _, err := w.Write(data[:n]); err != nil {
			w.Abort()
			return err
		}
		data = data[n:]
	}
	return w.Commit(ctx, coffer.CommitRecord{Object: &rec})
}

// putPart stores one part with its SHA-256 as ETag.
func putPart(ctx context.Context, s coffer.Store, bucket, key, upload string, n int, data []byte) (coffer.PartRecord, error) {
	w, err := s.NewPartWriter(ctx, bucket, key, upload, n)
	if err != nil {
		return coffer.PartRecord{}, err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return coffer.PartRecord{}, err
	}
	rec := coffer.PartRecord{Size: int64(len(data)), ETag: sha256Hex(data)}
	err = w.Commit(ctx, coffer.CommitRecord{Part: &rec})
	return rec, err
}

// readObject returns all stored bytes of rec, parts concatenated.
func readObject(ctx context.Context, s coffer.Store, rec coffer.ObjectRecord) ([]byte, error) {
	streams := []int64{rec.StoredSize}
	if len(rec.Parts) > 0 {
		streams = streams[:0]
		for _, p := range rec.Parts {
			streams = append(streams, p.StoredSize)
		}
	}
	var out []byte
	for i, size := range streams {
		r, err := s.OpenObjectData(ctx, rec, i, 0, size)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}
