package mem

import (
	"bytes"
	"maps"

	"github.com/cofferlabs/coffer"
)

// The clones below give the store and its callers separate memory, so
// neither can change what the other holds.

func cloneBucket(r coffer.BucketRecord) coffer.BucketRecord {
	if r.Config != nil {
		cfg := make(map[string][]byte, len(r.Config))
		for k, v := range r.Config {
			cfg[k] = bytes.Clone(v)
		}
		r.Config = cfg
	}
	return r
}

func cloneMeta(m coffer.ObjectMeta) coffer.ObjectMeta {
	m.User = maps.Clone(m.User)
	return m
}

func cloneObject(r coffer.ObjectRecord) coffer.ObjectRecord {
	r.Meta = cloneMeta(r.Meta)
	r.SealedKey = bytes.Clone(r.SealedKey)
	if r.Parts != nil {
		parts := make([]coffer.PartRecord, len(r.Parts))
		for i, p := range r.Parts {
			parts[i] = clonePart(p)
		}
		r.Parts = parts
	}
	return r
}

func clonePart(p coffer.PartRecord) coffer.PartRecord {
	p.Nonce = bytes.Clone(p.Nonce)
	return p
}

func cloneUpload(u coffer.UploadRecord) coffer.UploadRecord {
	u.Meta = cloneMeta(u.Meta)
	u.SealedKey = bytes.Clone(u.SealedKey)
	return u
}
