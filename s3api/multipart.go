package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cofferlabs/coffer"
)

type initiateMultipartUploadResult struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ InitiateMultipartUploadResult"`
	Bucket   string
	Key      string
	UploadID string `xml:"UploadId"`
}

func (s *server) createMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	var opts coffer.UploadOptions
	var err error
	if opts.Meta, err = objectMeta(r.Header); err != nil {
		return err
	}
	if opts.Encryption, err = encryptionRequest(r); err != nil {
		return err
	}
	if v := r.Header.Get("x-amz-checksum-algorithm"); v != "" {
		if opts.Checksum, err = parseChecksumAlgorithm("x-amz-checksum-algorithm", v); err != nil {
			return err
		}
	}
	if opts.ChecksumType, err = parseChecksumType(r.Header.Get("x-amz-checksum-type")); err != nil {
		return err
	}
	if opts.ChecksumType != "" && opts.Checksum == "" {
		return newError(codeInvalidRequest, "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	}
	upload, err := s.svc.CreateMultipartUpload(r.Context(), req.bucket, req.key, opts)
	if err != nil {
		return err
	}
	h := w.Header()
	setEncryptionHeaders(h, upload.Encryption)
	setKMSContextHeader(h, req.bucket, req.key, opts.Encryption.KMSContext, upload.Encryption)
	if upload.Checksum != "" {
		h.Set("x-amz-checksum-algorithm", string(upload.Checksum))
		h.Set("x-amz-checksum-type", string(upload.ChecksumType))
	}
	return writeXML(w, http.StatusOK, initiateMultipartUploadResult{Bucket: req.bucket, Key: req.key, UploadID: upload.UploadID})
}

func (s *server) uploadPart(w http.ResponseWriter, r *http.Request, req *request) error {
	q := r.URL.Query()
	part, err := partNumber(q.Get("partNumber"))
	if err != nil {
		return err
	}
	if err := rejectSSEHeader(r.Header); err != nil {
		return err
	}
	var opts coffer.PartOptions
	if opts.CustomerKey, err = customerKey(r, objectSSEC); err != nil {
		return err
	}
	body, check, err := uploadBody(r, req, coffer.MaxPartSize)
	if err != nil {
		return err
	}
	opts.Check = check
	info, err := s.svc.UploadPart(r.Context(), req.bucket, req.key, q.Get("uploadId"), part, body, opts)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", quoteETag(info.ETag))
	setChecksumHeaders(h, coffer.Checksum{Algorithm: info.Checksum.Algorithm, Value: info.Checksum.Value})
	setEncryptionHeaders(h, info.Encryption)
	w.WriteHeader(http.StatusOK)
	return nil
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyPartResult"`
	ETag         string
	LastModified isoTime
	checksumFields
}

func (s *server) uploadPartCopy(w http.ResponseWriter, r *http.Request, req *request) error {
	q := r.URL.Query()
	part, err := partNumber(q.Get("partNumber"))
	if err != nil {
		return err
	}
	if err := rejectSSEHeader(r.Header); err != nil {
		return err
	}
	src, err := s.authorizedCopySource(r, req)
	if err != nil {
		return err
	}
	if src.Range, err = parseCopySourceRange(r.Header.Get("x-amz-copy-source-range")); err != nil {
		return err
	}
	var opts coffer.PartOptions
	if opts.CustomerKey, err = customerKey(r, objectSSEC); err != nil {
		return err
	}
	info, err := s.svc.UploadPartCopy(r.Context(), req.bucket, req.key, q.Get("uploadId"), part, src, opts)
	if err != nil {
		return copyFailed(err)
	}
	setEncryptionHeaders(w.Header(), info.Encryption)
	return writeXML(w, http.StatusOK, copyPartResult{
		ETag:           quoteETag(info.ETag),
		LastModified:   isoTime(info.LastModified),
		checksumFields: newChecksumFields(info.Checksum),
	})
}

// completeRequest is the CompleteMultipartUpload document.
type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber string `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
		checksumFields
	} `xml:"Part"`
}

// parseCompleteRequest reads a CompleteMultipartUpload document into the
// parts list the Service checks.
func parseCompleteRequest(body []byte) ([]coffer.CompletePart, error) {
	var doc completeRequest
	if err := xml.Unmarshal(body, &doc); err != nil {
		return nil, errMalformedXML
	}
	if len(doc.Parts) == 0 || len(doc.Parts) > coffer.MaxPartNumber {
		return nil, errMalformedXML
	}
	parts := make([]coffer.CompletePart, 0, len(doc.Parts))
	for _, p := range doc.Parts {
		n, err := strconv.Atoi(strings.TrimSpace(p.PartNumber))
		if err != nil {
			return nil, errMalformedXML
		}
		if n < 1 || n > coffer.MaxPartNumber {
			return nil, invalidPartNumber(p.PartNumber)
		}
		_, value, ok := p.only()
		if !ok {
			return nil, errMalformedXML
		}
		parts = append(parts, coffer.CompletePart{Number: n, ETag: coffer.TrimETag(p.ETag), Checksum: value})
	}
	return parts, nil
}

type completeMultipartUploadResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CompleteMultipartUploadResult"`
	Location     string
	Bucket       string
	Key          string
	ETag         string
	ChecksumType string `xml:",omitempty"`
	checksumFields
}

func (s *server) completeMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	body, err := readSmallBody(r, req)
	if err != nil {
		return err
	}
	var opts coffer.CompleteOptions
	if opts.Parts, err = parseCompleteRequest(body); err != nil {
		return err
	}
	if opts.CustomerKey, err = customerKey(r, objectSSEC); err != nil {
		return err
	}
	if opts.IfNoneMatchStar, opts.IfMatch, err = writeConditions(r.Header); err != nil {
		return err
	}
	alg, value, err := checksumFromHeaders(r.Header)
	if err != nil {
		return err
	}
	checksumType, err := parseChecksumType(r.Header.Get("x-amz-checksum-type"))
	if err != nil {
		return err
	}
	opts.Checksum = coffer.Checksum{Algorithm: alg, Type: checksumType, Value: value}
	info, err := s.svc.CompleteMultipartUpload(r.Context(), req.bucket, req.key, r.URL.Query().Get("uploadId"), opts)
	if err != nil {
		return err
	}
	if info.Encryption.Type != coffer.SSEC { // Complete reports no SSE-C pair (spec §3.3)
		setEncryptionHeaders(w.Header(), info.Encryption)
	}
	return writeXML(w, http.StatusOK, completeMultipartUploadResult{
		Location:       objectLocation(r, req),
		Bucket:         req.bucket,
		Key:            req.key,
		ETag:           quoteETag(info.ETag),
		ChecksumType:   string(info.Checksum.Type),
		checksumFields: newChecksumFields(info.Checksum),
	})
}

// objectLocation is the URL of an object as the client addressed it.
func objectLocation(r *http.Request, req *request) string {
	scheme := "http"
	if isSecure(r) {
		scheme = "https"
	}
	path := "/" + req.bucket + "/" + req.key
	if req.virtualHost {
		path = "/" + req.key
	}
	host := r.Host
	return scheme + "://" + host + (&url.URL{Path: path}).EscapedPath()
}

func (s *server) abortMultipartUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.svc.AbortMultipartUpload(r.Context(), req.bucket, req.key, r.URL.Query().Get("uploadId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
