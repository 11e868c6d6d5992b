package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/postpolicy"
	"github.com/cofferlabs/coffer/sigv4"
)

// apiError is an error that already knows its wire form. Handlers return it
// for mistakes they detect themselves; domain errors are translated by
// errorRules.
type apiError struct {
	Code     errorCode
	Message  string // empty: the code's default message
	ArgName  string // with ArgValue, rendered as ArgumentName/ArgumentValue
	ArgValue string
	Cause    error // logged, never sent
}

func (e *apiError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = errorCodes[e.Code].Message
	}
	if e.Cause != nil {
		return string(e.Code) + ": " + msg + ": " + e.Cause.Error()
	}
	return string(e.Code) + ": " + msg
}

func (e *apiError) Unwrap() error { return e.Cause }

func newError(code errorCode, message string) *apiError {
	return &apiError{Code: code, Message: message}
}

// argumentError blames one header, query parameter or form field.
func argumentError(code errorCode, name, value, message string) *apiError {
	return &apiError{Code: code, ArgName: name, ArgValue: value, Message: message}
}

var (
	errAccessDenied     = newError(codeAccessDenied, "")
	errMalformedXML     = newError(codeMalformedXML, "")
	errMethodNotAllowed = newError(codeMethodNotAllowed, "")
)

// invalidPartNumber blames a part number outside 1..10000.
func invalidPartNumber(value string) *apiError {
	return argumentError(codeInvalidArgument, "partNumber", value, "Part number must be an integer between 1 and 10000, inclusive")
}

// errorRule maps a domain error (matched with errors.Is, or a KMS
// failure by its code) to a wire code.
type errorRule struct {
	target  error
	code    errorCode
	message string // empty: the code's default message
}

// kmsCode is an errorRules target matching a *coffer.KMSError by its AWS
// KMS error code: S3 reports KMS failures as KMS.<code>, except denial
// (AccessDenied) and throttling (SlowDown).
type kmsCode string

func (c kmsCode) Error() string { return "KMS " + string(c) }

func (rule errorRule) matches(err error) bool {
	if code, ok := rule.target.(kmsCode); ok {
		var kmsErr *coffer.KMSError
		return errors.As(err, &kmsErr) && kmsErr.Code == string(code)
	}
	return errors.Is(err, rule.target)
}

// errorRules translates every sentinel of coffer, sigv4 and postpolicy.
// The first matching row wins, so an error wrapping several sentinels gets
// the most specific code listed first. TestEveryDomainErrorHasARule keeps
// this table complete.
var errorRules = []errorRule{
	// Failures of stored data or keys are the server's problem, whatever
	// else the error says.
	{coffer.ErrCorruptData, codeInternalError, ""},
	{coffer.ErrSealedKeyInvalid, codeInternalError, ""},
	{coffer.ErrKeyNotFound, codeInternalError, ""},
	{coffer.ErrKeyExists, codeInternalError, ""},
	{coffer.ErrConcurrentUpdate, codeInternalError, ""},

	{coffer.ErrNoSuchBucket, codeNoSuchBucket, ""},
	{coffer.ErrBucketExists, codeBucketAlreadyOwnedByYou, ""},
	{coffer.ErrBucketNotEmpty, codeBucketNotEmpty, ""},
	{coffer.ErrInvalidBucketName, codeInvalidBucketName, ""},
	{coffer.ErrNoSuchKey, codeNoSuchKey, ""},
	{coffer.ErrKeyTooLong, codeKeyTooLong, ""},
	{coffer.ErrInvalidObjectName, codeInvalidArgument, "Object key must be 1 to 1024 bytes of valid UTF-8."},
	{coffer.ErrNoSuchUpload, codeNoSuchUpload, ""},
	{coffer.ErrInvalidPart, codeInvalidPart, ""},
	{coffer.ErrInvalidPartOrder, codeInvalidPartOrder, ""},
	{coffer.ErrEntityTooSmall, codeEntityTooSmall, ""},
	{coffer.ErrEntityTooLarge, codeEntityTooLarge, ""},
	{coffer.ErrInvalidRange, codeInvalidRange, ""},
	{coffer.ErrInvalidPartNumber, codeInvalidPartNumber, ""},
	{coffer.ErrPreconditionFailed, codePreconditionFailed, ""},
	{coffer.ErrNotModified, codeNotModified, ""},
	{coffer.ErrBadDigest, codeBadDigest, ""},
	{coffer.ErrInvalidDigest, codeInvalidDigest, ""},
	{coffer.ErrChecksumMismatch, codeBadDigest, "The checksum you specified did not match the calculated checksum."},
	{coffer.ErrSHA256Mismatch, codeSHA256Mismatch, ""},
	{coffer.ErrIncompleteBody, codeIncompleteBody, ""},
	{coffer.ErrMetadataTooLarge, codeMetadataTooLarge, ""},
	{coffer.ErrInvalidCopySource, codeInvalidArgument, msgInvalidCopySource},
	{coffer.ErrCopyToItself, codeInvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."},
	{coffer.ErrTooManyParts, codeInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive"},
	{coffer.ErrNotImplemented, codeNotImplemented, ""},
	{coffer.ErrNoSuchBucketPolicy, codeNoSuchBucketPolicy, ""},
	{coffer.ErrCustomerKeyRequired, codeInvalidRequest, "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."},
	{coffer.ErrCustomerKeyMismatch, codeAccessDenied, "Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key."},
	{coffer.ErrCustomerKeyNotApplicable, codeInvalidRequest, "The encryption parameters are not applicable to this object."},
	{coffer.ErrUploadKeyPresence, codeInvalidRequest, "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters."},
	{coffer.ErrUploadKeyMismatch, codeInvalidRequest, "The provided encryption parameters did not match the ones used originally."},
	{coffer.ErrEncryptionTypeBlocked, codeAccessDenied, "This request was rejected because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type"},

	// The KMS's failures, on the calls S3 makes for the caller. KMS.*
	// codes carry the KMS's own (public) message.
	{kmsCode("NotFoundException"), codeKMSNotFound, ""},
	{kmsCode("DisabledException"), codeKMSDisabled, ""},
	{kmsCode("KMSInvalidStateException"), codeKMSInvalidState, ""},
	{kmsCode("InvalidKeyUsageException"), codeKMSInvalidKeyUsage, ""},
	{kmsCode("IncorrectKeyException"), codeKMSIncorrectKey, ""},
	{kmsCode("InvalidCiphertextException"), codeKMSInvalidCiphertext, ""},
	{kmsCode("ValidationException"), codeKMSValidation, ""},
	{kmsCode("LimitExceededException"), codeKMSLimitExceeded, ""},
	{kmsCode("AccessDeniedException"), codeAccessDenied, ""},
	{kmsCode("ThrottlingException"), codeSlowDown, ""},
	{kmsCode("KMSInternalException"), codeInternalError, ""},
	{kmsCode("KeyUnavailableException"), codeServiceUnavailable, ""},
	{kmsCode("DependencyTimeoutException"), codeServiceUnavailable, ""},

	{sigv4.ErrInvalidAccessKeyID, codeInvalidAccessKeyID, ""},
	{sigv4.ErrSignatureDoesNotMatch, codeSignatureDoesNotMatch, ""},
	{sigv4.ErrRequestExpired, codeAccessDenied, "Request has expired"},
	{sigv4.ErrRequestTimeTooSkewed, codeRequestTimeTooSkewed, ""},
	{sigv4.ErrAuthorizationHeaderMalformed, codeAuthorizationHeaderMalformed, ""},
	{sigv4.ErrAuthorizationQueryMalformed, codeAuthorizationQueryError, ""},
	{sigv4.ErrMissingDate, codeAccessDenied, "AWS authentication requires a valid Date or x-amz-date header"},
	{sigv4.ErrHeadersNotSigned, codeAccessDenied, "There were headers present in the request which were not signed"},
	{sigv4.ErrUnsupportedAlgorithm, codeInvalidRequest, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."},
	{sigv4.ErrInvalidContentSHA256, codeInvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value."},
	{sigv4.ErrMissingContentSHA256, codeInvalidRequest, "Missing required header for this request: x-amz-content-sha256"},
	{sigv4.ErrContentSHA256Mismatch, codeSHA256Mismatch, ""},
	{sigv4.ErrPayloadTooLarge, codeMaxMessageLengthExceeded, ""},
	{sigv4.ErrMalformedChunk, codeIncompleteBody, "The aws-chunked request body is malformed."},
	{sigv4.ErrIncompleteBody, codeIncompleteBody, ""},
	{sigv4.ErrMissingContentLength, codeMissingContentLength, ""},

	// postpolicy's *Error and *SizeError carry S3's public wording, which
	// toAPIError uses instead of these defaults. Its last five sentinels
	// are sigv4's and coffer's own values, matched by their rows above.
	{postpolicy.ErrNoPolicy, codeAccessDenied, ""},
	{postpolicy.ErrMissingField, codeInvalidArgument, "A required form field is missing."},
	{postpolicy.ErrInvalidField, codeInvalidArgument, "A form field is not valid."},
	{postpolicy.ErrMalformedPolicy, codeInvalidPolicyDocument, "Invalid Policy: Invalid JSON."},
	{postpolicy.ErrPolicyExpired, codeAccessDenied, "Invalid according to Policy: Policy expired."},
	{postpolicy.ErrPolicyConditionFailed, codeAccessDenied, "Invalid according to Policy: Policy Condition failed"},
	{postpolicy.ErrSignatureDoesNotMatch, codeSignatureDoesNotMatch, ""},
	{postpolicy.ErrInvalidAccessKeyID, codeInvalidAccessKeyID, ""},
	{postpolicy.ErrUnsupportedAlgorithm, codeInvalidRequest, ""},
	{postpolicy.ErrEntityTooSmall, codeEntityTooSmall, ""},
	{postpolicy.ErrEntityTooLarge, codeEntityTooLarge, ""},
}

const msgInvalidCopySource = "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"

// toAPIError finds the wire form of err.
func toAPIError(err error, body *countingBody) *apiError {
	var api *apiError
	if errors.As(err, &api) {
		return api
	}
	var arg *coffer.ArgumentError
	if errors.As(err, &arg) {
		code := errorCode(arg.Code)
		if _, ok := errorCodes[code]; !ok || code == codeInternalError {
			code = codeInvalidArgument
		}
		return &apiError{Code: code, Message: arg.Message, ArgName: arg.Name, ArgValue: arg.Value, Cause: err}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &apiError{Code: codeMaxMessageLengthExceeded, Cause: err}
	}
	for _, rule := range errorRules {
		if rule.matches(err) {
			return &apiError{Code: rule.code, Message: publicText(err, rule.code, rule.message), Cause: err}
		}
	}
	if body != nil && body.readErr != nil {
		// The client stopped sending; not a server fault.
		return &apiError{Code: codeRequestTimeout, Cause: err}
	}
	return &apiError{Code: codeInternalError, Cause: err}
}

// publicText prefers the wording an error type declares public (policy
// failures quote the failed condition, size errors the limits, the KMS
// its own message for KMS.* codes) to the rule's default.
func publicText(err error, code errorCode, fallback string) string {
	var kmsErr *coffer.KMSError
	if strings.HasPrefix(string(code), "KMS.") && errors.As(err, &kmsErr) && kmsErr.Message != "" {
		return kmsErr.Message
	}
	var policyErr *postpolicy.Error
	if errors.As(err, &policyErr) {
		return policyErr.Message
	}
	var sizeErr *postpolicy.SizeError
	if errors.As(err, &sizeErr) {
		return sizeErr.Error()
	}
	return fallback
}

// publicMessage is the text a client may see: internal errors always get
// the generic message, their causes stay in the log.
func publicMessage(e *apiError) string {
	if e.Message == "" || e.Code == codeInternalError {
		return errorCodes[e.Code].Message
	}
	return e.Message
}

// errorDocument is S3's error body.
type errorDocument struct {
	XMLName       xml.Name `xml:"Error"`
	Code          errorCode
	Message       string
	ArgumentName  string `xml:",omitempty"`
	ArgumentValue *string
	// What S3 reports with SignatureDoesNotMatch to help debug a signer;
	// the string to sign holds only a hash of the canonical request.
	AWSAccessKeyID    string `xml:"AWSAccessKeyId,omitempty"`
	StringToSign      string `xml:",omitempty"`
	SignatureProvided string `xml:",omitempty"`
	// The x-amz-* header names (never values) a presigned request sent
	// without signing them.
	HeadersNotSigned string `xml:",omitempty"`
	Resource         string
	RequestID        string `xml:"RequestId"`
	HostID           string `xml:"HostId"`
}

// renderError is the one place errors become responses.
func (s *server) renderError(w *responseRecorder, r *http.Request, req *request, err error) {
	e := toAPIError(err, req.body)
	if e.Code == codeInternalError && r.Context().Err() != nil {
		e = &apiError{Code: codeRequestTimeout, Cause: err} // the client hung up
	}
	info, ok := errorCodes[e.Code]
	if !ok {
		e = &apiError{Code: codeInternalError, Cause: err}
		info = errorCodes[codeInternalError]
	}
	req.code = e.Code
	s.auditRefusal(r, req, e, err)
	message := publicMessage(e)
	if e.Code == codeInternalError || e.Code == codeRequestTimeout {
		req.cause = err
	}
	if w.wroteHeader {
		return
	}
	h := w.Header()
	for _, name := range successOnlyHeaders {
		h.Del(name)
	}
	if r.Method == http.MethodHead || info.Status == http.StatusNotModified {
		w.WriteHeader(info.Status)
		return
	}
	doc := errorDocument{
		Code:      e.Code,
		Message:   message,
		Resource:  r.URL.Path,
		RequestID: req.id,
		HostID:    h.Get("x-amz-id-2"),
	}
	if e.ArgName != "" {
		doc.ArgumentName = e.ArgName
		doc.ArgumentValue = &e.ArgValue
	}
	var sigErr *sigv4.SignatureError
	if e.Code == codeSignatureDoesNotMatch && errors.As(err, &sigErr) {
		doc.AWSAccessKeyID, doc.StringToSign, doc.SignatureProvided = sigErr.AccessKey, sigErr.StringToSign, sigErr.SignatureProvided
	}
	var unsigned *sigv4.HeadersNotSignedError
	if errors.As(err, &unsigned) {
		doc.HeadersNotSigned = strings.Join(unsigned.Headers, ", ")
	}
	body, mErr := marshalXML(doc)
	if mErr != nil {
		// A message with bytes XML cannot carry; send the bare status.
		w.WriteHeader(info.Status)
		return
	}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(info.Status)
	_, _ = w.Write(body)
}

// successOnlyHeaders are dropped when a handler fails after setting them.
var successOnlyHeaders = []string{
	"Content-Length", "Content-Type", "Content-Encoding", "Content-Disposition",
	"Content-Language", "Cache-Control", "Expires", "Accept-Ranges",
	"x-amz-server-side-encryption", hdrSSEKMSKeyID, hdrSSEContext, hdrSSEBucketKey,
	hdrSSECAlgorithm, hdrSSECKeyMD5, "x-amz-mp-parts-count",
}
