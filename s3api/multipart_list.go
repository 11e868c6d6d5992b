package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/cofferlabs/coffer"
)

const maxListParts = 1000

type partXML struct {
	PartNumber   int
	LastModified isoTime
	ETag         string
	Size         int64
	checksumFields
}

type listPartsResult struct {
	XMLName              xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListPartsResult"`
	Bucket               string
	Key                  string
	UploadID             string `xml:"UploadId"`
	PartNumberMarker     int
	NextPartNumberMarker int
	MaxParts             int
	IsTruncated          bool
	Parts                []partXML `xml:"Part"`
	Initiator            *ownerXML
	Owner                *ownerXML
	StorageClass         string
	ChecksumAlgorithm    string `xml:",omitempty"`
	ChecksumType         string `xml:",omitempty"`
}

// partMarker reads a part-number-marker style parameter.
func partMarker(name, v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, argumentError(codeInvalidArgument, name, v, "Provided "+name+" not an integer or within integer range")
	}
	return n, nil
}

func (s *server) listParts(w http.ResponseWriter, r *http.Request, req *request) error {
	q := r.URL.Query()
	marker, err := partMarker("part-number-marker", q.Get("part-number-marker"))
	if err != nil {
		return err
	}
	limit, err := maxItems(q, "max-parts", maxListParts, maxListParts)
	if err != nil {
		return err
	}
	key, err := customerKey(r, objectSSEC)
	if err != nil {
		return err
	}
	uploadID := q.Get("uploadId")
	result := listPartsResult{
		Bucket: req.bucket, Key: req.key, UploadID: uploadID,
		PartNumberMarker: marker, MaxParts: limit,
		Initiator: s.ownerXML(), Owner: s.ownerXML(),
	}
	// max-parts=0 still asks the Service (for one part) so that a missing
	// upload is reported; the part is not shown.
	page, err := s.svc.ListParts(r.Context(), req.bucket, req.key, uploadID, coffer.PartQuery{After: marker, Limit: max(limit, 1), CustomerKey: key})
	if err != nil {
		return err
	}
	result.StorageClass = reportedStorageClass(page.Upload.Meta.StorageClass)
	result.ChecksumAlgorithm = string(page.Upload.Checksum)
	if page.Upload.Checksum != "" {
		result.ChecksumType = string(page.Upload.ChecksumType)
	}
	if limit > 0 {
		result.IsTruncated = page.Truncated
		for _, p := range page.Parts {
			result.Parts = append(result.Parts, partXML{
				PartNumber: p.Number, LastModified: isoTime(p.LastModified), ETag: quoteETag(p.ETag),
				Size: p.Size, checksumFields: newChecksumFields(p.Checksum),
			})
		}
		result.NextPartNumberMarker = page.NextAfter
		if len(page.Parts) > 0 && result.NextPartNumberMarker == 0 {
			result.NextPartNumberMarker = page.Parts[len(page.Parts)-1].Number
		}
	}
	return writeXML(w, http.StatusOK, result)
}

type uploadXML struct {
	Key               string
	UploadID          string `xml:"UploadId"`
	Initiator         *ownerXML
	Owner             *ownerXML
	StorageClass      string
	Initiated         isoTime
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
}

type listMultipartUploadsResult struct {
	XMLName            xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListMultipartUploadsResult"`
	Bucket             string
	KeyMarker          string
	UploadIDMarker     string `xml:"UploadIdMarker"`
	NextKeyMarker      string
	NextUploadIDMarker string `xml:"NextUploadIdMarker"`
	Delimiter          string `xml:",omitempty"`
	Prefix             string
	MaxUploads         int
	IsTruncated        bool
	EncodingType       string      `xml:",omitempty"`
	Uploads            []uploadXML `xml:"Upload"`
	CommonPrefixes     []prefixXML
}

func (s *server) listMultipartUploads(w http.ResponseWriter, r *http.Request, req *request) error {
	q := r.URL.Query()
	limit, err := maxItems(q, "max-uploads", maxListKeys, maxListKeys)
	if err != nil {
		return err
	}
	encType, encode, err := encodingType(q)
	if err != nil {
		return err
	}
	query := coffer.UploadQuery{
		Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
		KeyMarker: q.Get("key-marker"), UploadIDMarker: q.Get("upload-id-marker"), Limit: limit,
	}
	result := listMultipartUploadsResult{
		Bucket: req.bucket, KeyMarker: encode(query.KeyMarker), UploadIDMarker: query.UploadIDMarker,
		Delimiter: encode(query.Delimiter), Prefix: encode(query.Prefix), MaxUploads: limit, EncodingType: encType,
	}
	if limit == 0 {
		if _, err := s.svc.HeadBucket(r.Context(), req.bucket); err != nil {
			return err
		}
		return writeXML(w, http.StatusOK, result)
	}
	page, err := s.svc.ListMultipartUploads(r.Context(), req.bucket, query)
	if err != nil {
		return err
	}
	result.IsTruncated = page.Truncated
	result.NextKeyMarker = encode(page.NextKeyMarker)
	result.NextUploadIDMarker = page.NextUploadIDMarker
	for _, u := range page.Uploads {
		entry := uploadXML{
			Key: encode(u.Key), UploadID: u.UploadID, Initiator: s.ownerXML(), Owner: s.ownerXML(),
			StorageClass: reportedStorageClass(u.Meta.StorageClass), Initiated: isoTime(u.Initiated),
			ChecksumAlgorithm: string(u.Checksum),
		}
		if u.Checksum != "" {
			entry.ChecksumType = string(u.ChecksumType)
		}
		result.Uploads = append(result.Uploads, entry)
	}
	for _, p := range page.CommonPrefixes {
		result.CommonPrefixes = append(result.CommonPrefixes, prefixXML{Prefix: encode(p)})
	}
	return writeXML(w, http.StatusOK, result)
}
