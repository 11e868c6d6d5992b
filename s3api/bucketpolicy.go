package s3api

import (
	"encoding/xml"
	"net/http"
)

// maxBucketPolicyBody is a little over S3's 20 KiB policy limit, so that
// the Service, not the body reader, reports an oversized policy.
const maxBucketPolicyBody = 64 << 10

// putBucketPolicy stores a policy document: NoSuchBucket first, then
// MalformedPolicy for a document the policy engine refuses.
func (s *server) putBucketPolicy(w http.ResponseWriter, r *http.Request, req *request) (err error) {
	defer func() { s.auditBucketPolicy(r, req, "PutBucketPolicy", err) }()
	if _, err := s.svc.HeadBucket(r.Context(), req.bucket); err != nil {
		return err
	}
	body, err := readSmallBody(r, req)
	if err != nil {
		return err
	}
	if err := s.svc.PutBucketPolicy(r.Context(), req.bucket, body); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getBucketPolicy returns the document byte for byte, as JSON.
func (s *server) getBucketPolicy(w http.ResponseWriter, r *http.Request, req *request) error {
	doc, err := s.svc.GetBucketPolicy(r.Context(), req.bucket)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(doc)
	return err
}

func (s *server) deleteBucketPolicy(w http.ResponseWriter, r *http.Request, req *request) (err error) {
	defer func() { s.auditBucketPolicy(r, req, "DeleteBucketPolicy", err) }()
	if _, err := s.svc.HeadBucket(r.Context(), req.bucket); err != nil {
		return err
	}
	if err := s.svc.DeleteBucketPolicy(r.Context(), req.bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type policyStatus struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PolicyStatus"`
	IsPublic bool
}

// getBucketPolicyStatus says whether the bucket's policy makes it public;
// a bucket without a policy answers NoSuchBucketPolicy, as S3 does.
func (s *server) getBucketPolicyStatus(w http.ResponseWriter, r *http.Request, req *request) error {
	doc, err := s.svc.GetBucketPolicy(r.Context(), req.bucket)
	if err != nil {
		return err
	}
	if s.policyIsPublic == nil {
		return newError(codeNotImplemented, "Bucket policy status is not available on this server.")
	}
	public, err := s.policyIsPublic(doc)
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, policyStatus{IsPublic: public})
}
