package s3api

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"
)

// Response documents carry S3's namespace in their XMLName tags:
// http://s3.amazonaws.com/doc/2006-03-01/ (errors and PostResponse carry
// none, as in S3).

// isoTime renders as S3 does in XML: UTC, milliseconds, Z.
type isoTime time.Time

const isoTimeLayout = "2006-01-02T15:04:05.000Z"

func (t isoTime) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format(isoTimeLayout)), nil
}

// quoteETag is how ETags travel in headers and listings.
func quoteETag(etag string) string { return `"` + etag + `"` }

// marshalXML renders v after the XML declaration.
func marshalXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeXML sends v as a complete XML response.
func writeXML(w http.ResponseWriter, status int, v any) error {
	body, err := marshalXML(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	// A write error means the client went away: nobody is left to tell.
	_, _ = w.Write(body)
	return nil
}
