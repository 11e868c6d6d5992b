package s3api

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// level says what a request addresses.
type level int

const (
	serviceLevel level = iota + 1 // no bucket: GET /
	bucketLevel                   // /bucket
	objectLevel                   // /bucket/key
)

// authMode says how a route authenticates its caller.
type authMode int

const (
	authSigV4 authMode = iota // a signed request (header or presigned URL)
	authForm                  // a browser form whose policy carries the signature
	// authEachObject is a signed request whose handler authorizes every
	// object it touches (DeleteObjects: S3 judges each key on its own ARN).
	authEachObject
)

// bodyLimit says how a route reads its body: not at all, streamed into the
// Service, or (positive values) a small document read whole, up to that
// many bytes.
type bodyLimit int64

const (
	noBody       bodyLimit = 0
	streamedBody bodyLimit = -1
)

type handlerFunc func(w http.ResponseWriter, r *http.Request, req *request) error

// route recognises one operation. A request matches when its level,
// method (empty: any), query parameters (each "name" present or
// "name=value"), header and form content type all match. The first
// matching route in the table wins, so specific routes come first.
type route struct {
	op     string // S3 operation name, for logs and metrics
	method string
	level  level
	query  []string
	header string // a request header that must be present
	form   bool   // Content-Type must be multipart/form-data
	action string // the IAM action authorize checks
	auth   authMode
	body   bodyLimit
	handle handlerFunc
}

// Body limits of the small XML documents S3 accepts.
const (
	maxCreateBucketBody = 64 << 10
	maxDeleteBody       = 6 << 20 // 1000 keys of up to 1024 bytes, escaped
	maxCompleteBody     = 4 << 20 // 10000 parts with checksums
)

// routeTable lists every operation s3api knows.
func (s *server) routeTable() []route {
	table := []route{
		{op: "ListBuckets", method: http.MethodGet, level: serviceLevel, action: "s3:ListAllMyBuckets", handle: s.listBuckets},

		{op: "GetBucketLocation", method: http.MethodGet, level: bucketLevel, query: []string{"location"}, action: "s3:GetBucketLocation", handle: s.getBucketLocation},
		{op: "GetBucketVersioning", method: http.MethodGet, level: bucketLevel, query: []string{"versioning"}, action: "s3:GetBucketVersioning", handle: s.getBucketVersioning},
		{op: "PutBucketEncryption", method: http.MethodPut, level: bucketLevel, query: []string{"encryption"}, action: "s3:PutEncryptionConfiguration", body: maxEncryptionBody, handle: s.putBucketEncryption},
		{op: "GetBucketEncryption", method: http.MethodGet, level: bucketLevel, query: []string{"encryption"}, action: "s3:GetEncryptionConfiguration", handle: s.getBucketEncryption},
		{op: "PutBucketPolicy", method: http.MethodPut, level: bucketLevel, query: []string{"policy"}, action: "s3:PutBucketPolicy", body: maxBucketPolicyBody, handle: s.putBucketPolicy},
		{op: "GetBucketPolicy", method: http.MethodGet, level: bucketLevel, query: []string{"policy"}, action: "s3:GetBucketPolicy", handle: s.getBucketPolicy},
		{op: "DeleteBucketPolicy", method: http.MethodDelete, level: bucketLevel, query: []string{"policy"}, action: "s3:DeleteBucketPolicy", handle: s.deleteBucketPolicy},
		{op: "GetBucketPolicyStatus", method: http.MethodGet, level: bucketLevel, query: []string{"policyStatus"}, action: "s3:GetBucketPolicyStatus", handle: s.getBucketPolicyStatus},
		{op: "DeleteBucketEncryption", method: http.MethodDelete, level: bucketLevel, query: []string{"encryption"}, action: "s3:PutEncryptionConfiguration", handle: s.deleteBucketEncryption},
	}
	table = append(table, unsupportedRoutes(bucketLevel, bucketSubresources, s.notImplemented)...)
	table = append(table,
		route{op: "ListMultipartUploads", method: http.MethodGet, level: bucketLevel, query: []string{"uploads"}, action: "s3:ListBucketMultipartUploads", handle: s.listMultipartUploads},
		route{op: "ListObjectsV2", method: http.MethodGet, level: bucketLevel, query: []string{"list-type=2"}, action: "s3:ListBucket", handle: s.listObjectsV2},
		route{op: "ListObjects", method: http.MethodGet, level: bucketLevel, action: "s3:ListBucket", handle: s.listObjectsV1},
		route{op: "HeadBucket", method: http.MethodHead, level: bucketLevel, action: "s3:ListBucket", handle: s.headBucket},
		route{op: "CreateBucket", method: http.MethodPut, level: bucketLevel, action: "s3:CreateBucket", body: maxCreateBucketBody, handle: s.createBucket},
		route{op: "DeleteBucket", method: http.MethodDelete, level: bucketLevel, action: "s3:DeleteBucket", handle: s.deleteBucket},
		route{op: "DeleteObjects", method: http.MethodPost, level: bucketLevel, query: []string{"delete"}, action: "s3:DeleteObject", auth: authEachObject, body: maxDeleteBody, handle: s.deleteObjects},
		route{op: "PostObject", method: http.MethodPost, level: bucketLevel, form: true, action: "s3:PutObject", auth: authForm, body: streamedBody, handle: s.postObject},
	)
	table = append(table, unsupportedRoutes(objectLevel, objectSubresources, s.notImplemented)...)
	table = append(table,
		route{op: "UpdateObjectEncryption", method: http.MethodPut, level: objectLevel, query: []string{"encryption"}, action: "s3:UpdateObjectEncryption", body: maxEncryptionBody, handle: s.updateObjectEncryption},
		route{op: "GetObjectAttributes", method: http.MethodGet, level: objectLevel, query: []string{"attributes"}, action: "s3:GetObjectAttributes", handle: s.getObjectAttributes},
		route{op: "ListParts", method: http.MethodGet, level: objectLevel, query: []string{"uploadId"}, action: "s3:ListMultipartUploadParts", handle: s.listParts},
		route{op: "GetObject", method: http.MethodGet, level: objectLevel, action: "s3:GetObject", handle: s.getObject},
		route{op: "HeadObject", method: http.MethodHead, level: objectLevel, action: "s3:GetObject", handle: s.headObject},
		route{op: "UploadPartCopy", method: http.MethodPut, level: objectLevel, query: []string{"uploadId"}, header: "x-amz-copy-source", action: "s3:PutObject", handle: s.uploadPartCopy},
		route{op: "UploadPart", method: http.MethodPut, level: objectLevel, query: []string{"uploadId"}, action: "s3:PutObject", body: streamedBody, handle: s.uploadPart},
		route{op: "CopyObject", method: http.MethodPut, level: objectLevel, header: "x-amz-copy-source", action: "s3:PutObject", handle: s.copyObject},
		route{op: "PutObject", method: http.MethodPut, level: objectLevel, action: "s3:PutObject", body: streamedBody, handle: s.putObject},
		route{op: "AbortMultipartUpload", method: http.MethodDelete, level: objectLevel, query: []string{"uploadId"}, action: "s3:AbortMultipartUpload", handle: s.abortMultipartUpload},
		route{op: "DeleteObject", method: http.MethodDelete, level: objectLevel, action: "s3:DeleteObject", handle: s.deleteObject},
		route{op: "CreateMultipartUpload", method: http.MethodPost, level: objectLevel, query: []string{"uploads"}, action: "s3:PutObject", handle: s.createMultipartUpload},
		route{op: "CompleteMultipartUpload", method: http.MethodPost, level: objectLevel, query: []string{"uploadId"}, action: "s3:PutObject", body: maxCompleteBody, handle: s.completeMultipartUpload},
	)
	return table
}

// Subresources S3 has and Coffer does not implement yet. Routing them
// explicitly keeps, say, PUT ?tagging from being taken for PutObject.
var (
	bucketSubresources = []string{
		"accelerate", "acl", "analytics", "cors", "intelligent-tiering",
		"inventory", "lifecycle", "logging", "metadataConfiguration", "metadataTable", "metrics",
		"notification", "object-lock", "ownershipControls",
		"publicAccessBlock", "replication", "requestPayment", "session", "tagging",
		"versioning", "versions", "website",
	}
	objectSubresources = []string{
		"acl", "legal-hold", "renameObject", "restore", "retention", "select", "tagging", "torrent",
	}
)

func unsupportedRoutes(lvl level, names []string, handle handlerFunc) []route {
	routes := make([]route, 0, len(names))
	for _, name := range names {
		routes = append(routes, route{op: "Unsupported", level: lvl, query: []string{name}, action: "s3:" + name, handle: handle})
	}
	return routes
}

// notImplemented answers subresources Coffer does not serve yet.
func (s *server) notImplemented(w http.ResponseWriter, r *http.Request, req *request) error {
	return newError(codeNotImplemented, "The "+req.route.query[0]+" subresource is not implemented by this server.")
}

// match finds the route for a request; a request no route takes gets
// MethodNotAllowed, as S3 answers.
func (s *server) match(r *http.Request, req *request) (*route, error) {
	lvl := objectLevel
	switch {
	case req.bucket == "":
		lvl = serviceLevel
	case req.key == "":
		lvl = bucketLevel
	}
	q := r.URL.Query()
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.level == lvl && (rt.method == "" || rt.method == r.Method) && rt.matches(r, q) {
			return rt, nil
		}
	}
	return nil, errMethodNotAllowed
}

func (rt *route) matches(r *http.Request, q url.Values) bool {
	for _, want := range rt.query {
		name, value, hasValue := strings.Cut(want, "=")
		if !q.Has(name) || (hasValue && q.Get(name) != value) {
			return false
		}
	}
	if rt.header != "" && r.Header.Get(rt.header) == "" {
		return false
	}
	if rt.form {
		mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mediaType != "multipart/form-data" {
			return false
		}
	}
	return true
}
