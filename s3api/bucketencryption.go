package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/cofferlabs/coffer"
)

// maxEncryptionBody bounds PutBucketEncryption and UpdateObjectEncryption
// documents.
const maxEncryptionBody = 64 << 10

// encryptionConfiguration is the PutBucketEncryption document as parsed:
// any namespace (or none) is accepted, as for other request documents.
type encryptionConfiguration struct {
	XMLName xml.Name         `xml:"ServerSideEncryptionConfiguration"`
	Rules   []encryptionRule `xml:"Rule"`
}

// encryptionConfigurationResult is the same document as GetBucketEncryption
// sends it.
type encryptionConfigurationResult struct {
	XMLName xml.Name         `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ServerSideEncryptionConfiguration"`
	Rules   []encryptionRule `xml:"Rule"`
}

// encryptionRule is botocore's ServerSideEncryptionRule.
type encryptionRule struct {
	Default                *encryptionDefault      `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled       *bool                   `xml:"BucketKeyEnabled"`
	BlockedEncryptionTypes *blockedEncryptionTypes `xml:"BlockedEncryptionTypes"`
}

type encryptionDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

type blockedEncryptionTypes struct {
	EncryptionType []string `xml:"EncryptionType"`
}

// parseEncryptionConfiguration reads the one rule S3 accepts: zero or
// several rules, or a default without an algorithm, are MalformedXML. A
// rule with no default (only blocked types, say) means SSE-S3.
func parseEncryptionConfiguration(body []byte) (coffer.BucketEncryption, error) {
	var doc encryptionConfiguration
	if err := xml.Unmarshal(body, &doc); err != nil || len(doc.Rules) != 1 {
		return coffer.BucketEncryption{}, errMalformedXML
	}
	rule := doc.Rules[0]
	enc := coffer.BucketEncryption{Algorithm: coffer.SSES3}
	if rule.Default != nil {
		if rule.Default.SSEAlgorithm == "" {
			return coffer.BucketEncryption{}, errMalformedXML
		}
		enc.Algorithm = coffer.SSEType(rule.Default.SSEAlgorithm)
		enc.KMSMasterKeyID = rule.Default.KMSMasterKeyID
	}
	if rule.BucketKeyEnabled != nil {
		enc.BucketKeyEnabled = *rule.BucketKeyEnabled
	}
	if rule.BlockedEncryptionTypes != nil {
		enc.BlockedEncryptionTypes = rule.BlockedEncryptionTypes.EncryptionType
	}
	return enc, nil
}

// encryptionDocument renders a bucket's rule; BucketKeyEnabled is always
// present, as S3 sends it.
func encryptionDocument(enc coffer.BucketEncryption) encryptionConfigurationResult {
	rule := encryptionRule{
		Default:          &encryptionDefault{SSEAlgorithm: string(enc.Algorithm), KMSMasterKeyID: enc.KMSMasterKeyID},
		BucketKeyEnabled: &enc.BucketKeyEnabled,
	}
	if len(enc.BlockedEncryptionTypes) > 0 {
		rule.BlockedEncryptionTypes = &blockedEncryptionTypes{EncryptionType: enc.BlockedEncryptionTypes}
	}
	return encryptionConfigurationResult{Rules: []encryptionRule{rule}}
}

// putBucketEncryption answers NoSuchBucket before looking at the document
// (spec §3.7), requires an integrity header, and leaves the KMS key to be
// resolved by the writes that use it.
func (s *server) putBucketEncryption(w http.ResponseWriter, r *http.Request, req *request) (err error) {
	var enc coffer.BucketEncryption
	defer func() { s.auditBucketEncryption(r, req, "PutBucketEncryption", &enc, err) }()
	if _, err := s.svc.HeadBucket(r.Context(), req.bucket); err != nil {
		return err
	}
	if !hasIntegrityHeader(r.Header) {
		return newError(codeInvalidRequest, "Missing required header for this request: Content-Md5")
	}
	body, err := readSmallBody(r, req)
	if err != nil {
		return err
	}
	if err := verifyBodyChecksum(r, req, body); err != nil {
		return err
	}
	if enc, err = parseEncryptionConfiguration(body); err != nil {
		return err
	}
	if err := s.svc.PutBucketEncryption(r.Context(), req.bucket, enc); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *server) getBucketEncryption(w http.ResponseWriter, r *http.Request, req *request) error {
	enc, err := s.svc.GetBucketEncryption(r.Context(), req.bucket)
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, encryptionDocument(enc))
}

func (s *server) deleteBucketEncryption(w http.ResponseWriter, r *http.Request, req *request) (err error) {
	defer func() { s.auditBucketEncryption(r, req, "DeleteBucketEncryption", nil, err) }()
	if err := s.svc.DeleteBucketEncryption(r.Context(), req.bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
