package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strings"

	"github.com/cofferlabs/coffer"
)

// copySource reads the source of CopyObject or UploadPartCopy: bucket and
// key, x-amz-copy-source-if-* conditions and the source's SSE-C key.
func copySource(r *http.Request) (coffer.CopySource, error) {
	var src coffer.CopySource
	var err error
	if src.Bucket, src.Key, err = parseCopySource(r.Header.Get(hdrCopySource)); err != nil {
		return src, err
	}
	src.Conditions = conditions(r.Header, "x-amz-copy-source-")
	src.CustomerKey, err = readCustomerKey(r, copySourceSSEC)
	return src, err
}

// authorizedCopySource reads the copy source and checks that the caller
// may read it: a copy is a GetObject of the source as much as a PutObject
// of the destination.
func (s *server) authorizedCopySource(r *http.Request, req *request) (coffer.CopySource, error) {
	src, err := copySource(r)
	if err != nil {
		return src, err
	}
	return src, s.authorizeOn(r, req, "s3:GetObject", src.Bucket, src.Key, nil)
}

// copyFailed translates a failed source condition: copies answer 412 where
// reads would answer 304.
func copyFailed(err error) error {
	if errors.Is(err, coffer.ErrNotModified) {
		return newError(codePreconditionFailed, "")
	}
	return err
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyObjectResult"`
	ETag         string
	LastModified isoTime
	ChecksumType string `xml:",omitempty"`
	checksumFields
}

func (s *server) copyObject(w http.ResponseWriter, r *http.Request, req *request) error {
	src, err := s.authorizedCopySource(r, req)
	if err != nil {
		return err
	}
	opts := coffer.CopyOptions{Source: src, Directive: coffer.MetadataCopy}
	switch d := r.Header.Get("x-amz-metadata-directive"); strings.ToUpper(d) {
	case "", string(coffer.MetadataCopy):
	case string(coffer.MetadataReplace):
		opts.Directive = coffer.MetadataReplace
		if opts.Meta, err = objectMeta(r.Header); err != nil {
			return err
		}
	default:
		return argumentError(codeInvalidArgument, "x-amz-metadata-directive", d, "Unknown metadata directive.")
	}
	if opts.Encryption, err = encryptionRequest(r); err != nil {
		return err
	}
	if v := r.Header.Get("x-amz-checksum-algorithm"); v != "" {
		if opts.Checksum, err = parseChecksumAlgorithm("x-amz-checksum-algorithm", v); err != nil {
			return err
		}
	}
	info, err := s.svc.CopyObject(r.Context(), req.bucket, req.key, opts)
	if err != nil {
		return copyFailed(err)
	}
	setEncryptionHeaders(w.Header(), info.Encryption)
	setKMSContextHeader(w.Header(), req.bucket, req.key, opts.Encryption.KMSContext, info.Encryption)
	return writeXML(w, http.StatusOK, copyObjectResult{
		ETag:           quoteETag(info.ETag),
		LastModified:   isoTime(info.LastModified),
		ChecksumType:   string(info.Checksum.Type),
		checksumFields: newChecksumFields(info.Checksum),
	})
}
