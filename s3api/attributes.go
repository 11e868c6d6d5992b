package s3api

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/cofferlabs/coffer"
)

// objectAttribute is a name x-amz-object-attributes may list.
type objectAttribute string

const (
	attrETag         objectAttribute = "ETag"
	attrChecksum     objectAttribute = "Checksum"
	attrObjectParts  objectAttribute = "ObjectParts"
	attrStorageClass objectAttribute = "StorageClass"
	attrObjectSize   objectAttribute = "ObjectSize"
)

var objectAttributes = []objectAttribute{attrETag, attrChecksum, attrObjectParts, attrStorageClass, attrObjectSize}

type objectAttributesResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ GetObjectAttributesResponse"`
	ETag         string   `xml:",omitempty"`
	Checksum     *checksumXML
	ObjectParts  *objectPartsXML
	StorageClass string `xml:",omitempty"`
	ObjectSize   *int64
}

type checksumXML struct {
	checksumFields
	ChecksumType string `xml:",omitempty"`
}

type objectPartsXML struct {
	PartsCount           int `xml:"PartsCount"`
	PartNumberMarker     int
	NextPartNumberMarker int
	MaxParts             int
	IsTruncated          bool
	Parts                []objectPartXML `xml:"Part"`
}

type objectPartXML struct {
	PartNumber int
	Size       int64
	checksumFields
}

// requestedAttributes reads x-amz-object-attributes (one header with a
// comma-separated list, or repeated headers).
func requestedAttributes(h http.Header) (map[objectAttribute]bool, error) {
	want := make(map[objectAttribute]bool)
	for _, line := range h.Values("x-amz-object-attributes") {
		for _, name := range strings.Split(line, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			known := false
			for _, a := range objectAttributes {
				if string(a) == name {
					want[a], known = true, true
				}
			}
			if !known {
				return nil, argumentError(codeInvalidArgument, "x-amz-object-attributes", name, "Invalid attribute name specified.")
			}
		}
	}
	if len(want) == 0 {
		return nil, argumentError(codeInvalidArgument, "x-amz-object-attributes", "", "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
	}
	return want, nil
}

func (s *server) getObjectAttributes(w http.ResponseWriter, r *http.Request, req *request) error {
	want, err := requestedAttributes(r.Header)
	if err != nil {
		return err
	}
	if err := rejectSSEHeader(r.Header); err != nil {
		return err
	}
	limit, err := maxItems(r.Header, "X-Amz-Max-Parts", maxListParts, maxListParts)
	if err != nil {
		return err
	}
	marker, err := partMarker("x-amz-part-number-marker", r.Header.Get("x-amz-part-number-marker"))
	if err != nil {
		return err
	}
	opts := coffer.GetOptions{WantChecksum: want[attrChecksum], Conditions: conditions(r.Header, "")}
	if opts.CustomerKey, err = readCustomerKey(r, objectSSEC); err != nil {
		return err
	}
	if err := onlyNullVersion(r.URL.Query().Get("versionId")); err != nil {
		return err
	}
	info, err := s.svc.HeadObject(r.Context(), req.bucket, req.key, opts)
	if err != nil {
		return err
	}
	var result objectAttributesResult
	if want[attrETag] {
		result.ETag = info.ETag // unquoted, as S3 sends it here
	}
	if want[attrChecksum] && info.Checksum.Value != "" {
		result.Checksum = &checksumXML{checksumFields: newChecksumFields(info.Checksum), ChecksumType: string(info.Checksum.Type)}
	}
	if want[attrObjectParts] && info.PartsCount > 0 {
		result.ObjectParts = objectParts(info, marker, limit)
	}
	if want[attrStorageClass] {
		result.StorageClass = reportedStorageClass(info.Meta.StorageClass)
	}
	if want[attrObjectSize] {
		result.ObjectSize = &info.Size
	}
	w.Header().Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	return writeXML(w, http.StatusOK, result)
}

// objectParts pages through the parts of a multipart object.
func objectParts(info coffer.ObjectInfo, marker, limit int) *objectPartsXML {
	parts := &objectPartsXML{PartsCount: info.PartsCount, PartNumberMarker: marker, MaxParts: limit}
	for _, p := range info.Parts {
		if p.Number <= marker {
			continue
		}
		if len(parts.Parts) == limit {
			parts.IsTruncated = true
			break
		}
		parts.Parts = append(parts.Parts, objectPartXML{PartNumber: p.Number, Size: p.Size, checksumFields: newChecksumFields(p.Checksum)})
		parts.NextPartNumberMarker = p.Number
	}
	return parts
}
