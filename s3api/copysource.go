package s3api

import (
	"net/url"
	"strings"

	"github.com/cofferlabs/coffer"
)

const hdrCopySource = "x-amz-copy-source"

// parseCopySource reads x-amz-copy-source: [/]bucket/key, URL-encoded,
// optionally followed by ?versionId=. Without versioning only the "null"
// version exists.
func parseCopySource(v string) (bucket, key string, err error) {
	bad := argumentError(codeInvalidArgument, hdrCopySource, v, msgInvalidCopySource)
	path, rawQuery, _ := strings.Cut(v, "?")
	decoded, err := url.PathUnescape(path)
	if err != nil {
		return "", "", bad
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(decoded, "/"), "/")
	if !ok || bucket == "" || key == "" {
		return "", "", bad
	}
	if coffer.ValidateObjectKey(key) != nil {
		return "", "", bad
	}
	if rawQuery != "" {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return "", "", bad
		}
		if err := onlyNullVersion(q.Get("versionId")); err != nil {
			return "", "", err
		}
	}
	return bucket, key, nil
}

// onlyNullVersion refuses version ids: without versioning the only version
// of an object is "null".
func onlyNullVersion(version string) error {
	if version == "" || version == "null" {
		return nil
	}
	return argumentError(codeInvalidArgument, "versionId", version, "Invalid version id specified")
}
