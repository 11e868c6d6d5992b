package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"

	"github.com/cofferlabs/coffer"
)

const maxListKeys = 1000

// objectXML is one <Contents> entry.
type objectXML struct {
	Key               string
	LastModified      isoTime
	ETag              string
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
	Size              int64
	StorageClass      string
	Owner             *ownerXML `xml:",omitempty"`
}

type prefixXML struct {
	Prefix string
}

type listObjectsV1Result struct {
	XMLName        xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name           string
	Prefix         string
	Marker         string
	NextMarker     string `xml:",omitempty"`
	MaxKeys        int
	Delimiter      string `xml:",omitempty"`
	IsTruncated    bool
	EncodingType   string `xml:",omitempty"`
	Contents       []objectXML
	CommonPrefixes []prefixXML
}

type listObjectsV2Result struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string
	Prefix                string
	MaxKeys               int
	KeyCount              int
	Delimiter             string `xml:",omitempty"`
	IsTruncated           bool
	EncodingType          string `xml:",omitempty"`
	ContinuationToken     string `xml:",omitempty"`
	NextContinuationToken string `xml:",omitempty"`
	StartAfter            string `xml:",omitempty"`
	Contents              []objectXML
	CommonPrefixes        []prefixXML
}

// listParams are the parameters v1 and v2 share.
type listParams struct {
	prefix, delimiter string
	maxKeys           int
	encode            func(string) string
	encodingType      string
}

func readListParams(q url.Values) (listParams, error) {
	p := listParams{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), encode: identity}
	var err error
	if p.maxKeys, err = maxItems(q, "max-keys", maxListKeys, maxListKeys); err != nil {
		return p, err
	}
	p.encodingType, p.encode, err = encodingType(q)
	return p, err
}

// encodingType reads encoding-type: only "url" exists, which makes S3
// URL-encode keys and prefixes in the answer.
func encodingType(q url.Values) (string, func(string) string, error) {
	switch v := q.Get("encoding-type"); v {
	case "":
		return "", identity, nil
	case "url":
		return v, s3URLEncode, nil
	default:
		return "", nil, argumentError(codeInvalidArgument, "encoding-type", v, "Invalid Encoding Method specified in Request")
	}
}

func identity(s string) string { return s }

// s3URLEncode encodes as S3 does for encoding-type=url: query escaping
// (space as +) with / left alone.
func s3URLEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

// list runs the listing, or answers an empty page for max-keys=0 once the
// bucket is known to exist.
func (s *server) list(r *http.Request, bucket string, p listParams, after string) (coffer.ListPage, error) {
	if p.maxKeys == 0 {
		_, err := s.svc.HeadBucket(r.Context(), bucket)
		return coffer.ListPage{}, err
	}
	return s.svc.ListObjects(r.Context(), bucket, coffer.ListQuery{
		Prefix: p.prefix, Delimiter: p.delimiter, After: after, Limit: p.maxKeys,
	})
}

func (s *server) listEntries(page coffer.ListPage, encode func(string) string, withOwner bool) ([]objectXML, []prefixXML) {
	objects := make([]objectXML, 0, len(page.Objects))
	for _, o := range page.Objects {
		entry := objectXML{
			Key:               encode(o.Key),
			LastModified:      isoTime(o.LastModified),
			ETag:              quoteETag(o.ETag),
			ChecksumAlgorithm: string(o.Checksum.Algorithm),
			Size:              o.Size,
			StorageClass:      reportedStorageClass(o.Meta.StorageClass),
		}
		if o.Checksum.Algorithm != "" {
			entry.ChecksumType = string(o.Checksum.Type)
		}
		if withOwner {
			entry.Owner = s.ownerXML()
		}
		objects = append(objects, entry)
	}
	prefixes := make([]prefixXML, 0, len(page.CommonPrefixes))
	for _, p := range page.CommonPrefixes {
		prefixes = append(prefixes, prefixXML{Prefix: encode(p)})
	}
	return objects, prefixes
}

func (s *server) listObjectsV1(w http.ResponseWriter, r *http.Request, req *request) error {
	q := r.URL.Query()
	p, err := readListParams(q)
	if err != nil {
		return err
	}
	marker := q.Get("marker")
	page, err := s.list(r, req.bucket, p, marker)
	if err != nil {
		return err
	}
	result := listObjectsV1Result{
		Name: req.bucket, Prefix: p.encode(p.prefix), Marker: p.encode(marker), MaxKeys: p.maxKeys,
		Delimiter: p.encode(p.delimiter), IsTruncated: page.Truncated, EncodingType: p.encodingType,
	}
	// S3 sends NextMarker only with a delimiter; without one clients
	// continue from the last key.
	if page.Truncated && p.delimiter != "" {
		result.NextMarker = p.encode(page.NextAfter)
	}
	result.Contents, result.CommonPrefixes = s.listEntries(page, p.encode, true)
	return writeXML(w, http.StatusOK, result)
}

func (s *server) listObjectsV2(w http.ResponseWriter, r *http.Request, req *request) error {
	q := r.URL.Query()
	p, err := readListParams(q)
	if err != nil {
		return err
	}
	token, startAfter := q.Get("continuation-token"), q.Get("start-after")
	after := startAfter
	if q.Has("continuation-token") {
		if after, err = decodeToken(token); err != nil {
			return err
		}
	}
	page, err := s.list(r, req.bucket, p, after)
	if err != nil {
		return err
	}
	result := listObjectsV2Result{
		Name: req.bucket, Prefix: p.encode(p.prefix), MaxKeys: p.maxKeys,
		Delimiter: p.encode(p.delimiter), IsTruncated: page.Truncated, EncodingType: p.encodingType,
		ContinuationToken: token, StartAfter: p.encode(startAfter),
		KeyCount: len(page.Objects) + len(page.CommonPrefixes),
	}
	if page.Truncated {
		result.NextContinuationToken = encodeToken(page.NextAfter)
	}
	result.Contents, result.CommonPrefixes = s.listEntries(page, p.encode, q.Get("fetch-owner") == "true")
	return writeXML(w, http.StatusOK, result)
}
