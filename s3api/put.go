package s3api

import (
	"net/http"

	"github.com/cofferlabs/coffer"
)

func (s *server) putObject(w http.ResponseWriter, r *http.Request, req *request) error {
	opts, err := putOptions(r)
	if err != nil {
		return err
	}
	body, check, err := uploadBody(r, req, coffer.MaxSinglePutSize)
	if err != nil {
		return err
	}
	opts.Check = check
	info, err := s.svc.PutObject(r.Context(), req.bucket, req.key, body, opts)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", quoteETag(info.ETag))
	setEncryptionHeaders(h, info.Encryption)
	setKMSContextHeader(h, req.bucket, req.key, opts.Encryption.KMSContext, info.Encryption)
	setChecksumHeaders(h, info.Checksum)
	w.WriteHeader(http.StatusOK)
	return nil
}

// putOptions reads everything of a PutObject but its body.
func putOptions(r *http.Request) (coffer.PutOptions, error) {
	var opts coffer.PutOptions
	var err error
	if opts.Meta, err = objectMeta(r.Header); err != nil {
		return opts, err
	}
	if opts.Encryption, err = encryptionRequest(r); err != nil {
		return opts, err
	}
	opts.IfNoneMatchStar, opts.IfMatch, err = writeConditions(r.Header)
	return opts, err
}
