package s3api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cofferlabs/coffer"
)

const userMetaPrefix = "x-amz-meta-"

// objectMeta collects the metadata a write stores: the content headers,
// storage class, redirect, tagging and x-amz-meta-* pairs.
func objectMeta(h http.Header) (coffer.ObjectMeta, error) {
	meta := coffer.ObjectMeta{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    withoutAWSChunked(h.Get("Content-Encoding")),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
		WebsiteRedirect:    h.Get("x-amz-website-redirect-location"),
		Tagging:            h.Get("x-amz-tagging"),
	}
	class, err := storageClass(h.Get("x-amz-storage-class"))
	if err != nil {
		return meta, err
	}
	meta.StorageClass = class
	if r := meta.WebsiteRedirect; r != "" && !strings.HasPrefix(r, "/") &&
		!strings.HasPrefix(r, "http://") && !strings.HasPrefix(r, "https://") {
		return meta, argumentError(codeInvalidRedirectLocation, "x-amz-website-redirect-location", r, "")
	}
	if meta.Tagging != "" {
		if err := validateTagging(meta.Tagging); err != nil {
			return meta, err
		}
	}
	meta.User, err = userMetadata(h)
	return meta, err
}

// userMetadata returns the x-amz-meta-* headers with lower-cased names and
// values exactly as sent (repeated headers joined with a comma, as S3
// does). Empty values are kept.
func userMetadata(h http.Header) (map[string]string, error) {
	var user map[string]string
	for name, values := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, userMetaPrefix) {
			continue
		}
		key := lower[len(userMetaPrefix):]
		if key == "" {
			return nil, argumentError(codeInvalidArgument, name, "", "User metadata names must not be empty.")
		}
		if user == nil {
			user = make(map[string]string)
		}
		if prev, ok := user[key]; ok {
			values = append([]string{prev}, values...)
		}
		user[key] = strings.Join(values, ",")
	}
	if (coffer.ObjectMeta{User: user}).UserMetadataSize() > coffer.MaxUserMetadataBytes {
		return nil, newError(codeMetadataTooLarge, "")
	}
	return user, nil
}

// storageClasses are the classes S3 accepts on a write. Coffer stores them
// as labels; every object lives on the same storage.
var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "GLACIER_IR": true,
	"OUTPOSTS": true, "SNOW": true, "EXPRESS_ONEZONE": true,
}

func storageClass(v string) (string, error) {
	if v == "" || v == "STANDARD" {
		return "", nil
	}
	if !storageClasses[v] {
		return "", argumentError(codeInvalidStorageClass, "x-amz-storage-class", v, "")
	}
	return v, nil
}

// reportedStorageClass is what listings and heads show.
func reportedStorageClass(stored string) string {
	if stored == "" {
		return "STANDARD"
	}
	return stored
}

// withoutAWSChunked drops the aws-chunked transfer coding, which describes
// the request and not the object.
func withoutAWSChunked(encoding string) string {
	if encoding == "" {
		return ""
	}
	var kept []string
	for _, coding := range strings.Split(encoding, ",") {
		if c := strings.TrimSpace(coding); c != "" && !strings.EqualFold(c, "aws-chunked") {
			kept = append(kept, c)
		}
	}
	return strings.Join(kept, ",")
}

// validateTagging checks x-amz-tagging is a URL query without duplicate
// keys, within S3's limits (10 tags, keys up to 128 and values up to 256
// characters).
func validateTagging(tagging string) error {
	bad := argumentError(codeInvalidArgument, "x-amz-tagging", tagging,
		"The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	tags, err := url.ParseQuery(tagging)
	if err != nil || len(tags) > 10 {
		return bad
	}
	for k, v := range tags {
		if k == "" || len(v) != 1 || len([]rune(k)) > 128 || len([]rune(v[0])) > 256 {
			return bad
		}
	}
	return nil
}

// tagCount is x-amz-tagging-count for a stored tagging string.
func tagCount(tagging string) int {
	tags, err := url.ParseQuery(tagging)
	if err != nil {
		return 0
	}
	return len(tags)
}
