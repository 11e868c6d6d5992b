package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

type ownerXML struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

func (s *server) ownerXML() *ownerXML {
	return &ownerXML{ID: s.owner.ID, DisplayName: s.owner.DisplayName}
}

type listBucketsResult struct {
	XMLName           xml.Name    `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner             *ownerXML   `xml:"Owner"`
	Buckets           []bucketXML `xml:"Buckets>Bucket"`
	ContinuationToken string      `xml:"ContinuationToken,omitempty"`
	Prefix            string      `xml:"Prefix,omitempty"`
}

type bucketXML struct {
	Name         string
	CreationDate isoTime
	BucketRegion string `xml:",omitempty"`
}

func (s *server) listBuckets(w http.ResponseWriter, r *http.Request, req *request) error {
	q := r.URL.Query()
	limit, err := maxItems(q, "max-buckets", 10000, 10000)
	if err != nil {
		return err
	}
	after := ""
	if q.Has("continuation-token") {
		if after, err = decodeToken(q.Get("continuation-token")); err != nil {
			return err
		}
	}
	prefix := q.Get("prefix")
	buckets, err := s.svc.ListBuckets(r.Context())
	if err != nil {
		return err
	}
	result := listBucketsResult{Owner: s.ownerXML(), Prefix: prefix, Buckets: []bucketXML{}}
	for _, b := range buckets {
		if b.Name <= after || !strings.HasPrefix(b.Name, prefix) {
			continue
		}
		if len(result.Buckets) == limit {
			result.ContinuationToken = encodeToken(result.Buckets[len(result.Buckets)-1].Name)
			break
		}
		result.Buckets = append(result.Buckets, bucketXML{Name: b.Name, CreationDate: isoTime(b.Created), BucketRegion: s.bucketRegion(b.Region)})
	}
	return writeXML(w, http.StatusOK, result)
}

func (s *server) bucketRegion(region string) string {
	if region == "" {
		return s.region
	}
	return region
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

func (s *server) createBucket(w http.ResponseWriter, r *http.Request, req *request) error {
	if strings.EqualFold(r.Header.Get("x-amz-bucket-object-lock-enabled"), "true") {
		return newError(codeNotImplemented, "Object Lock is not implemented by this server.")
	}
	body, err := readSmallBody(r, req)
	if err != nil {
		return err
	}
	if err := verifyBodyChecksum(r, req, body); err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		var config createBucketConfiguration
		if err := xml.Unmarshal(body, &config); err != nil {
			return errMalformedXML
		}
		if lc := config.LocationConstraint; lc != "" && lc != s.region {
			return argumentError(codeIllegalLocationConstraint, "LocationConstraint", lc,
				"The "+lc+" location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
	}
	if err := s.svc.CreateBucket(r.Context(), req.bucket); err != nil {
		return err
	}
	w.Header().Set("Location", "/"+req.bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *server) headBucket(w http.ResponseWriter, r *http.Request, req *request) error {
	info, err := s.svc.HeadBucket(r.Context(), req.bucket)
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-bucket-region", s.bucketRegion(info.Region))
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *server) deleteBucket(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.svc.DeleteBucket(r.Context(), req.bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type locationConstraint struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
	Region  string   `xml:",chardata"`
}

func (s *server) getBucketLocation(w http.ResponseWriter, r *http.Request, req *request) error {
	info, err := s.svc.HeadBucket(r.Context(), req.bucket)
	if err != nil {
		return err
	}
	region := s.bucketRegion(info.Region)
	if region == defaultRegion {
		region = "" // S3 reports us-east-1 as the empty constraint
	}
	return writeXML(w, http.StatusOK, locationConstraint{Region: region})
}

type versioningConfiguration struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
}

// getBucketVersioning answers what S3 answers for a bucket whose
// versioning was never enabled: an empty configuration.
func (s *server) getBucketVersioning(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.svc.HeadBucket(r.Context(), req.bucket); err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, versioningConfiguration{})
}

// encodeToken makes an opaque continuation token from a listing position.
func encodeToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(after))
}

func decodeToken(token string) (string, error) {
	after, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(after) == 0 {
		return "", argumentError(codeInvalidArgument, "continuation-token", token, "The continuation token provided is incorrect")
	}
	return string(after), nil
}

// maxItems reads a max-keys style parameter: absent means def, values above
// ceiling are capped, negative or non-numeric ones are refused.
func maxItems(q map[string][]string, name string, def, ceiling int) (int, error) {
	values, ok := q[name]
	if !ok || len(values) == 0 {
		return def, nil
	}
	n, err := strconv.Atoi(values[0])
	if err != nil {
		return 0, argumentError(codeInvalidArgument, name, values[0], "Provided "+name+" not an integer or within integer range")
	}
	if n < 0 {
		return 0, argumentError(codeInvalidArgument, name, values[0], "Argument "+name+" must be an integer between 0 and 2147483647")
	}
	return min(n, ceiling), nil
}
