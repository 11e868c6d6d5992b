package s3api

import (
	"context"
	"net"
	"net/http"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/sigv4"
)

// requestInfo is how the request reached us: what the transport layer put
// in the context (source IP, TLS or a trusted proxy's word for it) or,
// without one in front, the connection's own facts; plus the request id
// and user agent. The signature version is added once verified.
func requestInfo(r *http.Request, id string) coffer.RequestInfo {
	info := coffer.RequestInfoFrom(r.Context())
	if info.SourceIP == "" {
		info.SourceIP = remoteIP(r.RemoteAddr)
		info.SecureTransport = r.TLS != nil
	}
	info.RequestID = id
	info.UserAgent = r.UserAgent()
	return info
}

func remoteIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// identify names the principal an authenticated request acts for.
func (s *server) identify(auth *sigv4.Auth) (coffer.Principal, error) {
	if auth.Anonymous {
		return coffer.Principal{Anonymous: true}, nil
	}
	return s.principalFor(auth.AccessKey)
}

// principalFor maps an access key to its principal: through
// Config.Identify when set, else to the account's root.
func (s *server) principalFor(accessKey string) (coffer.Principal, error) {
	if s.identifyKey != nil {
		p, ok := s.identifyKey(accessKey)
		if !ok {
			return coffer.Principal{}, sigv4.ErrInvalidAccessKeyID
		}
		p.AccessKeyID = accessKey
		return p, nil
	}
	return coffer.Principal{
		AccountID:   s.accountID,
		ARN:         "arn:aws:iam::" + s.accountID + ":root",
		UserID:      s.accountID,
		AccessKeyID: accessKey,
	}, nil
}

// withCaller is ctx carrying the request's principal and facts, for the
// Service and, through it, the KMS.
func withCaller(ctx context.Context, req *request) context.Context {
	return coffer.WithRequestInfo(coffer.WithPrincipal(ctx, req.principal), req.info)
}

// isSecure reports whether the request came over TLS (to us, or to a
// trusted proxy that said so).
func isSecure(r *http.Request) bool {
	info := coffer.RequestInfoFrom(r.Context())
	if info.SourceIP == "" && !info.SecureTransport {
		return r.TLS != nil // no request facts in ctx: a bare request
	}
	return info.SecureTransport
}
