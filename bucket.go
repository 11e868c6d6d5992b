package coffer

import (
	"net"
	"strings"
	"time"
)

// BucketInfo describes a bucket as the API shows it.
type BucketInfo struct {
	Name    string
	Created time.Time
	Region  string
}

// BucketRecord is what a Store keeps for a bucket.
type BucketRecord struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Config holds per-bucket settings (encryption, policy) as opaque
	// documents keyed by name; stores keep them byte-exact.
	Config map[string][]byte `json:"config,omitempty"`
}

// ValidateBucketName applies S3's naming rules for general purpose buckets.
// Names starting with "_" never pass, which keeps /_coffer/ free for the
// server's own endpoints.
func ValidateBucketName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return ErrInvalidBucketName
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' || c == '.':
			if i == 0 || i == len(name)-1 {
				return ErrInvalidBucketName
			}
		default:
			return ErrInvalidBucketName
		}
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return ErrInvalidBucketName
	}
	if net.ParseIP(name) != nil {
		return ErrInvalidBucketName
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return ErrInvalidBucketName
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return ErrInvalidBucketName
		}
	}
	return nil
}
