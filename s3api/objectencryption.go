package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/cofferlabs/coffer"
)

// objectEncryptionRequest is botocore's ObjectEncryption union, whose one
// member is SSE-KMS.
type objectEncryptionRequest struct {
	XMLName xml.Name `xml:"ObjectEncryption"`
	SSEKMS  *struct {
		KMSKeyArn        string  `xml:"KMSKeyArn"`
		BucketKeyEnabled *string `xml:"BucketKeyEnabled"`
	} `xml:"SSE-KMS"`
}

const (
	msgUpdateNeedsSigV4   = "Requests that modify an object encryption configuration require AWS Signature Version 4. Modify the request to use AWS Signature Version 4, and then try again."
	msgUpdateNeedsType    = "Requests that modify an object encryption configuration require a valid new encryption type. Valid values are SSEKMS. Modify the request to specify SSE-KMS for the updated encryption type, and then try again."
	msgUpdateBadBucketKey = "The BucketKeyEnabled value isn't valid. Valid values are true or false. Modify the request to specify a valid value, and then try again."
)

// parseObjectEncryption reads an UpdateObjectEncryption document into the
// encryption it asks for; the Service checks the key ARN.
func parseObjectEncryption(body []byte) (coffer.EncryptionRequest, error) {
	var doc objectEncryptionRequest
	if err := xml.Unmarshal(body, &doc); err != nil {
		return coffer.EncryptionRequest{}, errMalformedXML
	}
	if doc.SSEKMS == nil {
		return coffer.EncryptionRequest{}, newError(codeInvalidRequest, msgUpdateNeedsType)
	}
	enc := coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSKeyID: strings.TrimSpace(doc.SSEKMS.KMSKeyArn)}
	if v := doc.SSEKMS.BucketKeyEnabled; v != nil {
		enabled, err := strconv.ParseBool(strings.TrimSpace(*v))
		if err != nil {
			return coffer.EncryptionRequest{}, newError(codeInvalidRequest, msgUpdateBadBucketKey)
		}
		enc.BucketKeyEnabled = &enabled
	}
	return enc, nil
}

// updateObjectEncryption re-keys an object (PUT /bucket/key?encryption):
// SigV4 and an integrity header are required; the answer is an empty 200.
func (s *server) updateObjectEncryption(w http.ResponseWriter, r *http.Request, req *request) error {
	if req.info.SignatureVersion != 4 {
		return newError(codeInvalidRequest, msgUpdateNeedsSigV4)
	}
	if err := onlyNullVersion(r.URL.Query().Get("versionId")); err != nil {
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
	enc, err := parseObjectEncryption(body)
	if err != nil {
		return err
	}
	if _, err := s.svc.UpdateObjectEncryption(r.Context(), req.bucket, req.key, enc); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
