package s3api

import (
	"net"
	"net/http"
	"strings"
)

// address finds the bucket and key a request names: virtual-hosted style
// when the Host is <bucket>.<one of the domains>, path style otherwise.
func (s *server) address(r *http.Request, req *request) {
	if bucket, ok := s.virtualHostBucket(r.Host); ok {
		req.bucket, req.key, req.virtualHost = bucket, strings.TrimPrefix(r.URL.Path, "/"), true
		return
	}
	req.bucket, req.key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
}

func (s *server) virtualHostBucket(host string) (string, bool) {
	if len(s.domains) == 0 || host == "" {
		return "", false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, domain := range s.domains {
		if bucket, ok := strings.CutSuffix(host, "."+domain); ok && bucket != "" {
			return bucket, true
		}
	}
	return "", false
}
