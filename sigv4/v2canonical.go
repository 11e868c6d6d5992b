package sigv4

import (
	"net"
	"net/http"
	"sort"
	"strings"
)

// v2SubResources are the query parameters SigV2 signs as part of the
// resource: the S3 documentation's list plus the ones botocore and minio-go
// sign (they mirror S3). Any other parameter is unsigned in SigV2, so the
// longer this list, the less a holder of a presigned URL can change.
var v2SubResources = map[string]bool{
	"accelerate": true, "acl": true, "analytics": true, "cors": true, "defaultObjectAcl": true,
	"delete": true, "encryption": true, "inventory": true, "legal-hold": true, "lifecycle": true,
	"location": true, "logging": true, "metrics": true, "notification": true, "object-lock": true,
	"partNumber": true, "policy": true, "replication": true, "requestPayment": true, "restore": true,
	"retention": true, "select": true, "select-type": true, "storageClass": true, "tagging": true,
	"torrent": true, "uploadId": true, "uploads": true, "versionId": true, "versioning": true,
	"versions": true, "website": true,
	"response-cache-control": true, "response-content-disposition": true, "response-content-encoding": true,
	"response-content-language": true, "response-content-type": true, "response-expires": true,
}

// v2Request holds the parts of a SigV2 string to sign.
type v2Request struct {
	method      string
	contentMD5  string
	contentType string
	date        string // Date header, Expires parameter, or "" beside x-amz-date
	amzHeaders  []amzHeader
	resource    string
}

// amzHeader is one canonical x-amz-* line: lower-case name, values joined ','.
type amzHeader struct{ name, value string }

// stringToSign renders the request as the client signed it.
func (q v2Request) stringToSign() string {
	return q.render(func(h amzHeader) string { return h.value })
}

// redactedStringToSign replaces the values of headers carrying key
// material, so the result can go into an error document or a log.
func (q v2Request) redactedStringToSign() string {
	return q.render(func(h amzHeader) string {
		if carriesKeyMaterial(h.name) {
			return "<redacted>"
		}
		return h.value
	})
}

func (q v2Request) render(value func(amzHeader) string) string {
	var b strings.Builder
	for _, line := range []string{q.method, q.contentMD5, q.contentType, q.date} {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	for _, h := range q.amzHeaders {
		b.WriteString(h.name)
		b.WriteByte(':')
		b.WriteString(value(h))
		b.WriteByte('\n')
	}
	b.WriteString(q.resource)
	return b.String()
}

// carriesKeyMaterial names the x-amz-* headers whose values are secrets:
// SSE-C keys and session tokens.
func carriesKeyMaterial(name string) bool {
	return strings.HasSuffix(name, "-customer-key") || name == "x-amz-security-token"
}

// v2Form is where a SigV2 request carries its signature.
type v2Form int

const (
	v2HeaderForm v2Form = iota // Authorization: AWS AccessKeyId:Signature
	v2QueryForm                // AWSAccessKeyId, Signature, Expires parameters
)

// newV2Request canonicalises r. In the query form, clients (botocore) move
// the signed Content-MD5, Content-Type and x-amz-* headers into the query,
// so a parameter of such a name stands in for a header the request does not
// carry. A header that is present always wins: it is what the front end
// acts on, so it is what must be signed.
func newV2Request(r *http.Request, form v2Form, date, path string, query []queryParam, domains []string) v2Request {
	var headerQuery []queryParam
	if form == v2QueryForm {
		headerQuery = query
	}
	return v2Request{
		method:      r.Method,
		contentMD5:  positionalHeader(r.Header, "Content-Md5", headerQuery),
		contentType: positionalHeader(r.Header, "Content-Type", headerQuery),
		date:        date,
		amzHeaders:  canonicalAmzHeaders(r.Header, headerQuery),
		resource:    canonicalResourceV2(r.Host, domains, path, query),
	}
}

// positionalHeader is the value of Content-MD5 or Content-Type ("" when
// absent). name is in canonical MIME form.
func positionalHeader(h http.Header, name string, query []queryParam) string {
	if values, ok := h[name]; ok && len(values) > 0 {
		return trimHeaderValue(values[0])
	}
	lower := strings.ToLower(name)
	for _, p := range query {
		if strings.ToLower(p.key) == lower {
			return trimHeaderValue(p.value)
		}
	}
	return ""
}

// canonicalAmzHeaders selects every x-amz-* header, lower-cases its name,
// joins repeated values with ',' (each trimmed, nothing collapsed inside)
// and sorts by name. query parameters named x-amz-* are added for names no
// header carries.
func canonicalAmzHeaders(h http.Header, query []queryParam) []amzHeader {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic when two spellings of one name meet
	values := make(map[string][]string)
	for _, name := range names {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-amz-") {
			values[lower] = append(values[lower], h[name]...)
		}
	}
	var fromQuery map[string][]string
	for _, p := range query {
		lower := strings.ToLower(p.key)
		if _, isHeader := values[lower]; isHeader || !strings.HasPrefix(lower, "x-amz-") {
			continue
		}
		if fromQuery == nil {
			fromQuery = make(map[string][]string)
		}
		fromQuery[lower] = append(fromQuery[lower], p.value)
	}
	for name, vs := range fromQuery {
		values[name] = vs
	}
	lines := make([]amzHeader, 0, len(values))
	for name, vs := range values {
		trimmed := make([]string, len(vs))
		for i, v := range vs {
			trimmed[i] = trimHeaderValue(v)
		}
		lines = append(lines, amzHeader{name: name, value: strings.Join(trimmed, ",")})
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].name < lines[j].name })
	return lines
}

func trimHeaderValue(v string) string { return strings.Trim(v, " \t") }

// canonicalResourceV2 is "/" + bucket when the Host names it, then the path
// exactly as sent, then the signed sub-resources: sorted by name (stable,
// so repeats keep their order), "name" alone when the value is empty, else
// "name=value" with the value decoded. A path-style request for a bucket
// alone ("/bucket") signs "/bucket/", as S3 does and botocore expects; the
// front end reads both as the same bucket.
func canonicalResourceV2(host string, domains []string, path string, query []queryParam) string {
	var b strings.Builder
	if bucket, ok := virtualHostBucket(host, domains); ok {
		b.WriteByte('/')
		b.WriteString(bucket)
		b.WriteString(path)
	} else {
		b.WriteString(path)
		if len(path) > 1 && strings.LastIndexByte(path, '/') == 0 {
			b.WriteByte('/')
		}
	}
	var subs []queryParam
	for _, p := range query {
		if v2SubResources[p.key] {
			subs = append(subs, p)
		}
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].key < subs[j].key })
	for i, p := range subs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		if p.value != "" {
			b.WriteByte('=')
			b.WriteString(p.value)
		}
	}
	return b.String()
}

// virtualHostBucket finds the bucket a Host names as <bucket>.<domain>. It
// must decide exactly as the front end's addressing does (s3api: port
// dropped, host lower-cased, domains compared as configured), or a
// signature could verify for one resource and be served for another.
func virtualHostBucket(host string, domains []string) (string, bool) {
	if len(domains) == 0 || host == "" {
		return "", false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, domain := range domains {
		if bucket, ok := strings.CutSuffix(host, "."+domain); ok && bucket != "" {
			return bucket, true
		}
	}
	return "", false
}
