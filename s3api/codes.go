package s3api

import "net/http"

// errorCode is an S3 error code as it appears in <Code>.
type errorCode string

const (
	codeAccessDenied                 errorCode = "AccessDenied"
	codeAuthorizationHeaderMalformed errorCode = "AuthorizationHeaderMalformed"
	codeAuthorizationQueryError      errorCode = "AuthorizationQueryParametersError"
	codeBadDigest                    errorCode = "BadDigest"
	codeBucketAlreadyOwnedByYou      errorCode = "BucketAlreadyOwnedByYou"
	codeBucketNotEmpty               errorCode = "BucketNotEmpty"
	codeEntityTooLarge               errorCode = "EntityTooLarge"
	codeEntityTooSmall               errorCode = "EntityTooSmall"
	codeIllegalLocationConstraint    errorCode = "IllegalLocationConstraintException"
	codeIncompleteBody               errorCode = "IncompleteBody"
	codeInternalError                errorCode = "InternalError"
	codeInvalidAccessKeyID           errorCode = "InvalidAccessKeyId"
	codeInvalidArgument              errorCode = "InvalidArgument"
	codeInvalidBucketName            errorCode = "InvalidBucketName"
	codeInvalidDigest                errorCode = "InvalidDigest"
	codeInvalidEncryptionAlgorithm   errorCode = "InvalidEncryptionAlgorithmError"
	codeInvalidPart                  errorCode = "InvalidPart"
	codeInvalidPartNumber            errorCode = "InvalidPartNumber"
	codeInvalidPartOrder             errorCode = "InvalidPartOrder"
	codeInvalidPolicyDocument        errorCode = "InvalidPolicyDocument"
	codeInvalidRange                 errorCode = "InvalidRange"
	codeInvalidRedirectLocation      errorCode = "InvalidRedirectLocation"
	codeInvalidRequest               errorCode = "InvalidRequest"
	codeInvalidStorageClass          errorCode = "InvalidStorageClass"
	codeKMSDisabled                  errorCode = "KMS.DisabledException"
	codeKMSIncorrectKey              errorCode = "KMS.IncorrectKeyException"
	codeKMSInvalidCiphertext         errorCode = "KMS.InvalidCiphertextException"
	codeKMSInvalidKeyUsage           errorCode = "KMS.InvalidKeyUsageException"
	codeKMSInvalidState              errorCode = "KMS.KMSInvalidStateException"
	codeKMSLimitExceeded             errorCode = "KMS.LimitExceededException"
	codeKMSNotFound                  errorCode = "KMS.NotFoundException"
	codeKMSValidation                errorCode = "KMS.ValidationException"
	codeKeyTooLong                   errorCode = "KeyTooLongError"
	codeMalformedPOSTRequest         errorCode = "MalformedPOSTRequest"
	codeMalformedXML                 errorCode = "MalformedXML"
	codeMaxMessageLengthExceeded     errorCode = "MaxMessageLengthExceeded"
	codeMaxPostPreDataLengthExceeded errorCode = "MaxPostPreDataLengthExceeded"
	codeMetadataTooLarge             errorCode = "MetadataTooLarge"
	codeMethodNotAllowed             errorCode = "MethodNotAllowed"
	codeMissingContentLength         errorCode = "MissingContentLength"
	codeNoSuchBucket                 errorCode = "NoSuchBucket"
	codeNoSuchKey                    errorCode = "NoSuchKey"
	codeNoSuchUpload                 errorCode = "NoSuchUpload"
	codeNoSuchBucketPolicy           errorCode = "NoSuchBucketPolicy"
	codeMalformedPolicy              errorCode = "MalformedPolicy"
	codeNotImplemented               errorCode = "NotImplemented"
	codeNotModified                  errorCode = "NotModified"
	codePreconditionFailed           errorCode = "PreconditionFailed"
	codeRequestTimeTooSkewed         errorCode = "RequestTimeTooSkewed"
	codeRequestTimeout               errorCode = "RequestTimeout"
	codeServiceUnavailable           errorCode = "ServiceUnavailable"
	codeSignatureDoesNotMatch        errorCode = "SignatureDoesNotMatch"
	codeSlowDown                     errorCode = "SlowDown"
	codeSHA256Mismatch               errorCode = "XAmzContentSHA256Mismatch"
)

// codeInfo is how a code goes on the wire: its status and default message.
type codeInfo struct {
	Status  int
	Message string
}

// errorCodes is every code s3api can send, with S3's status and wording.
var errorCodes = map[errorCode]codeInfo{
	codeAccessDenied:                 {http.StatusForbidden, "Access Denied"},
	codeAuthorizationHeaderMalformed: {http.StatusBadRequest, "The authorization header is malformed."},
	codeAuthorizationQueryError:      {http.StatusBadRequest, "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."},
	codeBadDigest:                    {http.StatusBadRequest, "The Content-MD5 you specified did not match what we received."},
	codeBucketAlreadyOwnedByYou:      {http.StatusConflict, "Your previous request to create the named bucket succeeded and you already own it."},
	codeBucketNotEmpty:               {http.StatusConflict, "The bucket you tried to delete is not empty"},
	codeEntityTooLarge:               {http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed object size."},
	codeEntityTooSmall:               {http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed object size."},
	codeIllegalLocationConstraint:    {http.StatusBadRequest, "The specified location-constraint is not valid for this endpoint."},
	codeIncompleteBody:               {http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header."},
	codeInternalError:                {http.StatusInternalServerError, "We encountered an internal error. Please try again."},
	codeInvalidAccessKeyID:           {http.StatusForbidden, "The AWS Access Key Id you provided does not exist in our records."},
	codeInvalidArgument:              {http.StatusBadRequest, "Invalid Argument"},
	codeInvalidBucketName:            {http.StatusBadRequest, "The specified bucket is not valid."},
	codeInvalidDigest:                {http.StatusBadRequest, "The Content-MD5 you specified is not valid."},
	codeInvalidEncryptionAlgorithm:   {http.StatusBadRequest, "The Encryption request you specified is not valid. Supported value: AES256."},
	codeInvalidPart:                  {http.StatusBadRequest, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."},
	codeInvalidPartNumber:            {http.StatusRequestedRangeNotSatisfiable, "The requested partnumber is not satisfiable"},
	codeInvalidPartOrder:             {http.StatusBadRequest, "The list of parts was not in ascending order. The parts list must be specified in order by part number."},
	codeInvalidPolicyDocument:        {http.StatusBadRequest, "The content of the form does not meet the conditions specified in the policy document."},
	codeInvalidRange:                 {http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable"},
	codeInvalidRedirectLocation:      {http.StatusBadRequest, "The website redirect location must have a prefix of 'http://' or 'https://' or '/'."},
	codeInvalidRequest:               {http.StatusBadRequest, "Invalid Request"},
	codeInvalidStorageClass:          {http.StatusBadRequest, "The storage class you specified is not valid"},
	codeKMSDisabled:                  {http.StatusBadRequest, "The KMS key is disabled."},
	codeKMSIncorrectKey:              {http.StatusBadRequest, "The key ID in the request does not identify a CMK that can perform this operation."},
	codeKMSInvalidCiphertext:         {http.StatusBadRequest, "The KMS could not decrypt the ciphertext."},
	codeKMSInvalidKeyUsage:           {http.StatusBadRequest, "The KMS key cannot be used for this operation."},
	codeKMSInvalidState:              {http.StatusBadRequest, "The KMS key is not in a state that allows this operation."},
	codeKMSLimitExceeded:             {http.StatusBadRequest, "A KMS limit was exceeded."},
	codeKMSNotFound:                  {http.StatusBadRequest, "The KMS key does not exist."},
	codeKMSValidation:                {http.StatusBadRequest, "The KMS refused a parameter of the request."},
	codeKeyTooLong:                   {http.StatusBadRequest, "Your key is too long"},
	codeMalformedPOSTRequest:         {http.StatusBadRequest, "The body of your POST request is not well-formed multipart/form-data."},
	codeMalformedXML:                 {http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema"},
	codeMaxMessageLengthExceeded:     {http.StatusBadRequest, "Your request was too big."},
	codeMaxPostPreDataLengthExceeded: {http.StatusBadRequest, "Your POST request fields preceding the upload file were too large."},
	codeMetadataTooLarge:             {http.StatusBadRequest, "Your metadata headers exceed the maximum allowed metadata size."},
	codeMethodNotAllowed:             {http.StatusMethodNotAllowed, "The specified method is not allowed against this resource."},
	codeMissingContentLength:         {http.StatusLengthRequired, "You must provide the Content-Length HTTP header."},
	codeNoSuchBucket:                 {http.StatusNotFound, "The specified bucket does not exist"},
	codeNoSuchKey:                    {http.StatusNotFound, "The specified key does not exist."},
	codeNoSuchBucketPolicy:           {http.StatusNotFound, "The bucket policy does not exist"},
	codeMalformedPolicy:              {http.StatusBadRequest, "Policies must be valid JSON and the first byte must be '{'"},
	codeNoSuchUpload:                 {http.StatusNotFound, "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
	codeNotImplemented:               {http.StatusNotImplemented, "A header you provided implies functionality that is not implemented."},
	codeNotModified:                  {http.StatusNotModified, "Not Modified"},
	codePreconditionFailed:           {http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold"},
	codeRequestTimeTooSkewed:         {http.StatusForbidden, "The difference between the request time and the current time is too large."},
	codeRequestTimeout:               {http.StatusBadRequest, "Your socket connection to the server was not read from or written to within the timeout period."},
	codeServiceUnavailable:           {http.StatusServiceUnavailable, "Reduce your request rate."},
	codeSignatureDoesNotMatch:        {http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
	codeSlowDown:                     {http.StatusServiceUnavailable, "Please reduce your request rate."},
	codeSHA256Mismatch:               {http.StatusBadRequest, "The provided 'x-amz-content-sha256' header does not match what was computed."},
}
