package s3api

import (
	"net/http"
	"time"

	"github.com/cofferlabs/coffer"
)

// conditions reads the If-* headers of a read, or with prefix
// "x-amz-copy-source-" those of a copy source. Unparseable dates are
// ignored, as HTTP says.
func conditions(h http.Header, prefix string) coffer.Conditions {
	return coffer.Conditions{
		IfMatch:           h.Get(prefix + "If-Match"),
		IfNoneMatch:       h.Get(prefix + "If-None-Match"),
		IfModifiedSince:   httpDate(h.Get(prefix + "If-Modified-Since")),
		IfUnmodifiedSince: httpDate(h.Get(prefix + "If-Unmodified-Since")),
	}
}

func httpDate(v string) *time.Time {
	if v == "" {
		return nil
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return nil
	}
	return &t
}

// writeConditions reads If-None-Match: * and If-Match of a conditional
// write. S3 supports no other If-None-Match on writes.
func writeConditions(h http.Header) (ifNoneMatchStar bool, ifMatch string, err error) {
	switch v := h.Get("If-None-Match"); v {
	case "":
	case "*":
		ifNoneMatchStar = true
	default:
		return false, "", argumentError(codeNotImplemented, "If-None-Match", v, "If-None-Match on a write supports only *.")
	}
	if v := h.Get("If-Match"); v != "" {
		ifMatch = coffer.TrimETag(v)
	}
	return ifNoneMatchStar, ifMatch, nil
}
