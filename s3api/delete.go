package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/cofferlabs/coffer"
)

func (s *server) deleteObject(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := onlyNullVersion(r.URL.Query().Get("versionId")); err != nil {
		return err
	}
	if err := s.svc.DeleteObject(r.Context(), req.bucket, req.key); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// maxDeleteKeys is how many keys one DeleteObjects request may name.
const maxDeleteKeys = 1000

// deleteRequest is the DeleteObjects document.
type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

// parseDeleteRequest reads and checks a DeleteObjects document.
func parseDeleteRequest(body []byte) (deleteRequest, error) {
	var doc deleteRequest
	if err := xml.Unmarshal(body, &doc); err != nil {
		return doc, errMalformedXML
	}
	if len(doc.Objects) == 0 || len(doc.Objects) > maxDeleteKeys {
		return doc, errMalformedXML
	}
	return doc, nil
}

type deleteResult struct {
	XMLName xml.Name        `xml:"http://s3.amazonaws.com/doc/2006-03-01/ DeleteResult"`
	Deleted []deletedObject `xml:"Deleted"`
	Errors  []deleteError   `xml:"Error"`
}

type deletedObject struct {
	Key       string
	VersionID string `xml:"VersionId,omitempty"`
}

type deleteError struct {
	Key       string
	VersionID string `xml:"VersionId,omitempty"`
	Code      errorCode
	Message   string
}

func (s *server) deleteObjects(w http.ResponseWriter, r *http.Request, req *request) error {
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
	doc, err := parseDeleteRequest(body)
	if err != nil {
		return err
	}
	if _, err := s.svc.HeadBucket(r.Context(), req.bucket); err != nil {
		return err
	}
	result := deleteResult{}
	for _, obj := range doc.Objects {
		err := s.deleteOne(r, req, obj.Key, obj.VersionID)
		if err != nil {
			e := toAPIError(err, nil)
			if e.Code == codeInternalError {
				req.cause = err // logged with the request; the client sees InternalError
			}
			result.Errors = append(result.Errors, deleteError{Key: obj.Key, VersionID: obj.VersionID, Code: e.Code, Message: publicMessage(e)})
			continue
		}
		if !doc.Quiet {
			result.Deleted = append(result.Deleted, deletedObject{Key: obj.Key, VersionID: obj.VersionID})
		}
	}
	return writeXML(w, http.StatusOK, result)
}

func (s *server) deleteOne(r *http.Request, req *request, key, version string) error {
	if err := onlyNullVersion(version); err != nil {
		return err
	}
	if err := coffer.ValidateObjectKey(key); err != nil {
		return err
	}
	if err := s.authorizeOn(r, req, req.route.action, req.bucket, key, s.objectConditions(r, req)); err != nil {
		return err
	}
	return s.svc.DeleteObject(r.Context(), req.bucket, key)
}
