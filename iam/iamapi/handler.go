package iamapi

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/cofferlabs/coffer"
)

// The query protocol's namespaces, versions and SigV4 service names.
const (
	iamNamespace   = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNamespace   = "https://sts.amazonaws.com/doc/2011-06-15/"
	iamVersion     = "2010-05-08"
	stsVersion     = "2011-06-15"
	serviceIAM     = "iam"
	serviceSTS     = "sts"
	formType       = "application/x-www-form-urlencoded"
	responseType   = "text/xml"
	iamEventSource = "iam.amazonaws.com"
	stsEventSource = "sts.amazonaws.com"
)

// IsRequest reports whether r is an IAM or STS call: POST / with a form
// body, signed (Authorization header or presigned query) for service "iam"
// or "sts". It reads headers and the query only, never the body, so the
// server can route on it before S3. Unsigned requests are not recognized:
// they stay S3's.
func IsRequest(r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.Path != "/" || !isForm(r.Header.Get("Content-Type")) {
		return false
	}
	switch signedService(r) {
	case serviceIAM, serviceSTS:
		return true
	}
	return false
}

func isForm(contentType string) bool {
	media, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(media), formType)
}

// signedService is the service of the request's SigV4 credential scope,
// "" when it has none.
func signedService(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		_, cred, ok := strings.Cut(h, "Credential=")
		if !ok {
			return ""
		}
		if end := strings.IndexAny(cred, ", "); end >= 0 {
			cred = cred[:end]
		}
		return scopeService(cred)
	}
	if strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		return scopeService(r.URL.Query().Get("X-Amz-Credential"))
	}
	return ""
}

// scopeService takes the service out of "AKID/date/region/service/aws4_request".
func scopeService(cred string) string {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return ""
	}
	return parts[3]
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", requestID)
	namespace := iamNamespace
	if signedService(r) == serviceSTS {
		namespace = stsNamespace
	}
	result, err := h.serve(w, r, requestID)
	if err != nil {
		writeError(w, namespace, requestID, err)
		return
	}
	writeResult(w, namespace, requestID, result)
}

// response is what an operation answers: its <Op>Response element name
// and its result (nil for operations without one).
type response struct {
	name   string
	result any
}

// serve authenticates and runs one request; it returns the response or
// the *apiError to render.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, requestID string) (response, *apiError) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		w.Header().Set("Allow", http.MethodPost)
		return response{}, newError(codeInvalidAction, "The IAM and STS APIs take POST / only.")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !isForm(ct) {
		return response{}, newError(codeMalformedQueryString, "Content-Type must be %s.", formType)
	}
	service := signedService(r)
	if service != serviceSTS {
		service = serviceIAM
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBody)
	auth, err := h.verifier.Verify(r, service)
	if err != nil {
		return response{}, authError(err, r, h.verifier)
	}
	if auth.Anonymous {
		return response{}, newError(codeMissingAuthToken, "Request is missing Authentication Token")
	}
	principal, ok := h.identify(auth.AccessKey)
	if !ok {
		return response{}, newError(codeInvalidClientTokenID, "The security token included in the request is invalid.")
	}
	body, err := io.ReadAll(auth.Body)
	auth.Body.Close()
	if err != nil {
		return response{}, authError(err, r, h.verifier)
	}
	if auth.PayloadSHA256 != "" {
		sum := sha256.Sum256(body)
		if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(auth.PayloadSHA256)) != 1 {
			return response{}, newError(codeSignatureDoesNotMatch, "%s", msgSignatureMismatch)
		}
	}
	p, perr := parseParams(string(body), r.URL.RawQuery)
	if perr != nil {
		return response{}, perr
	}
	op, aerr := lookup(p, service)
	if aerr != nil {
		return response{}, aerr
	}
	ctx := coffer.WithRequestInfo(coffer.WithPrincipal(r.Context(), principal), requestInfo(r, requestID))
	c := &call{h: h, ctx: ctx, op: op, principal: principal, params: p, w: w}
	result, err := c.run()
	if err != nil {
		e, internal := toAPIError(err)
		if internal {
			h.logger.ErrorContext(ctx, "iam request failed", "op", op.name, "request_id", requestID, "err", err)
		}
		c.audit(e)
		return response{}, e
	}
	c.audit(nil)
	return response{name: op.name + "Response", result: result}, nil
}

// lookup finds the operation named by Action for the signed service and
// checks Version.
func lookup(p params, service string) (*operation, *apiError) {
	action, ok := p["Action"]
	if !ok || action == "" {
		return nil, newError(codeMissingAction, "The request must contain the parameter Action.")
	}
	version := p.get("Version")
	op := operations[action]
	if op == nil || op.service != service {
		return nil, newError(codeInvalidAction, "Could not find operation %s for version %s", clip(action), clip(version))
	}
	want := iamVersion
	if service == serviceSTS {
		want = stsVersion
	}
	switch version {
	case want:
	case "":
		return nil, newError(codeMissingParameter, "The request must contain the parameter Version.")
	default:
		return nil, newError(codeInvalidAction, "Could not find operation %s for version %s", clip(action), clip(version))
	}
	if name := p.unexpected(op.params); name != "" {
		return nil, newError(codeInvalidParameterValue, "%s does not take the parameter %s in Coffer.", op.name, clip(name))
	}
	return op, nil
}

// requestInfo completes what the transport middleware put in the context
// (source IP, TLS) with this request's id, user agent and signature
// version; without the middleware the source is the peer address.
func requestInfo(r *http.Request, requestID string) coffer.RequestInfo {
	info := coffer.RequestInfoFrom(r.Context())
	info.RequestID = requestID
	info.UserAgent = r.UserAgent()
	info.SignatureVersion = 4
	info.ViaService = "" // an HTTP caller is never another Coffer service
	if info.Host == "" {
		info.Host = r.Host
	}
	if r.TLS != nil {
		info.SecureTransport = true
	}
	if info.SourceIP == "" {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			info.SourceIP = host
		}
	}
	return info
}

// writeResult renders a success:
//
//	<OpResponse xmlns="..."><OpResult>...</OpResult>
//	<ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></OpResponse>
func writeResult(w http.ResponseWriter, namespace, requestID string, resp response) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: resp.name}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: namespace}}}
	err := enc.EncodeToken(start)
	if err == nil && resp.result != nil {
		err = enc.Encode(resp.result)
	}
	if err == nil {
		err = enc.Encode(responseMetadata{RequestID: requestID})
	}
	if err == nil {
		err = enc.EncodeToken(start.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		writeError(w, namespace, requestID, internalError)
		return
	}
	w.Header().Set("Content-Type", responseType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

type responseMetadata struct {
	XMLName   xml.Name `xml:"ResponseMetadata"`
	RequestID string   `xml:"RequestId"`
}

type errorResponse struct {
	XMLName   xml.Name    `xml:"ErrorResponse"`
	Namespace string      `xml:"xmlns,attr"`
	Error     errorDetail `xml:"Error"`
	RequestID string      `xml:"RequestId"`
}

type errorDetail struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// writeError is the one error renderer.
func writeError(w http.ResponseWriter, namespace, requestID string, e *apiError) {
	kind := "Sender"
	if e.status >= 500 {
		kind = "Receiver"
	}
	body, err := xml.Marshal(errorResponse{Namespace: namespace, Error: errorDetail{Type: kind, Code: e.code, Message: e.message}, RequestID: requestID})
	if err != nil {
		body = []byte("<ErrorResponse><Error><Type>Receiver</Type><Code>" + codeServiceFailure + "</Code></Error></ErrorResponse>")
	}
	w.Header().Set("Content-Type", responseType)
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}
