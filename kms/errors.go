package kms

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/cofferlabs/coffer"
)

// Error codes, as AWS KMS names them in "__type".
const (
	CodeNotFound                = "NotFoundException"
	CodeDisabled                = "DisabledException"
	CodeInvalidState            = "KMSInvalidStateException"
	CodeInvalidCiphertext       = "InvalidCiphertextException"
	CodeIncorrectKey            = "IncorrectKeyException"
	CodeInvalidKeyUsage         = "InvalidKeyUsageException"
	CodeValidation              = "ValidationException"
	CodeAlreadyExists           = "AlreadyExistsException"
	CodeLimitExceeded           = "LimitExceededException"
	CodeUnsupportedOperation    = "UnsupportedOperationException"
	CodeTag                     = "TagException"
	CodeInvalidMarker           = "InvalidMarkerException"
	CodeInvalidAliasName        = "InvalidAliasNameException"
	CodeInvalidArn              = "InvalidArnException"
	CodeMalformedPolicyDocument = "MalformedPolicyDocumentException"
	CodeNotAuthorized           = "NotAuthorizedException"
	CodeAccessDenied            = "AccessDeniedException"
	CodeDryRunOperation         = "DryRunOperationException"
	CodeThrottling              = "ThrottlingException"
	CodeCustomKeyStoreNotFound  = "CustomKeyStoreNotFoundException"
	// CodeInternal is what front ends answer for failures that are not
	// *coffer.KMSError (storage, randomness); the KMS never returns it.
	CodeInternal = "KMSInternalException"
)

// isCode reports whether err is a KMS error with code.
func isCode(err error, code string) bool {
	var ke *coffer.KMSError
	return errors.As(err, &ke) && ke.Code == code
}

func kmsError(code, format string, args ...any) *coffer.KMSError {
	return &coffer.KMSError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errKeyNotFound(arn string) error {
	return kmsError(CodeNotFound, "Key '%s' does not exist", arn)
}

func errInvalidKeyID(id string) error {
	return kmsError(CodeNotFound, "Invalid keyId '%s'", clip(id))
}

func errAliasNotFound(aliasARN string) error {
	return kmsError(CodeNotFound, "Alias %s is not found.", aliasARN)
}

func errDisabled(arn string) error {
	return kmsError(CodeDisabled, "%s is disabled.", arn)
}

func errPendingDeletion(arn string) error {
	return kmsError(CodeInvalidState, "%s is pending deletion.", arn)
}

func errNotPendingDeletion(arn string) error {
	return kmsError(CodeInvalidState, "%s is not pending deletion.", arn)
}

// errInvalidCiphertext carries no message, as AWS sends none: the blob is
// corrupt, was made for another context, or under material that is gone.
func errInvalidCiphertext() error {
	return &coffer.KMSError{Code: CodeInvalidCiphertext}
}

func errIncorrectKey() error {
	return kmsError(CodeIncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.")
}

// errCiphertextKeyUnknown is Decrypt's answer when the blob names a key that
// does not exist (any more): the caller cannot tell deleted from forbidden.
func errCiphertextKeyUnknown() error {
	return kmsError(CodeAccessDenied, "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.")
}

func errThrottled() error {
	return kmsError(CodeThrottling, "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.")
}

func errDryRun() error {
	return kmsError(CodeDryRunOperation, "The request would have succeeded, but the DryRun option is set.")
}

func errUnsupported(format string, args ...any) error {
	return kmsError(CodeUnsupportedOperation, format, args...)
}

// clip bounds caller-supplied text echoed in messages, cutting at a
// character boundary.
func clip(s string) string {
	const max = 256
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
