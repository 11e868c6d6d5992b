package postpolicy

import (
	"errors"
	"fmt"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/sigv4"
)

// Sentinels; match with errors.Is. Those shared with sigv4 and coffer are
// the same values, so one error table maps both kinds of request.
var (
	// ErrNoPolicy means the form has no policy and no signature fields: an
	// anonymous upload, allowed only where the bucket admits anonymous writes.
	ErrNoPolicy              = errors.New("postpolicy: the form carries no policy (anonymous upload)")
	ErrMissingField          = errors.New("postpolicy: a required form field is missing")
	ErrInvalidField          = errors.New("postpolicy: a form field is not valid")
	ErrMalformedPolicy       = errors.New("postpolicy: the policy document is malformed")
	ErrPolicyExpired         = errors.New("postpolicy: the policy has expired")
	ErrPolicyConditionFailed = errors.New("postpolicy: the form does not meet the policy")
	ErrSignatureDoesNotMatch = sigv4.ErrSignatureDoesNotMatch
	ErrInvalidAccessKeyID    = sigv4.ErrInvalidAccessKeyID
	ErrUnsupportedAlgorithm  = sigv4.ErrUnsupportedAlgorithm
	ErrEntityTooSmall        = coffer.ErrEntityTooSmall
	ErrEntityTooLarge        = coffer.ErrEntityTooLarge
)

// Error is a policy failure with S3's public message, e.g.
// "Invalid according to Policy: Policy Condition failed: ["eq", "$key", "a"]".
// Err is ErrMalformedPolicy (S3: 400 InvalidPolicyDocument),
// ErrPolicyExpired or ErrPolicyConditionFailed (403 AccessDenied).
type Error struct {
	Err     error
	Message string
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

func malformed(format string, args ...any) error {
	return &Error{Err: ErrMalformedPolicy, Message: "Invalid Policy: " + fmt.Sprintf(format, args...)}
}

func denied(sentinel error, format string, args ...any) error {
	return &Error{Err: sentinel, Message: "Invalid according to Policy: " + fmt.Sprintf(format, args...)}
}

// SizeError is a file outside the policy's content-length-range. Err is
// ErrEntityTooSmall or ErrEntityTooLarge.
type SizeError struct {
	Err      error
	Proposed int64
	Min, Max int64
}

func (e *SizeError) Error() string {
	if errors.Is(e.Err, ErrEntityTooSmall) {
		return fmt.Sprintf("Your proposed upload is smaller than the minimum allowed size (%d < %d)", e.Proposed, e.Min)
	}
	return fmt.Sprintf("Your proposed upload exceeds the maximum allowed size (%d > %d)", e.Proposed, e.Max)
}

func (e *SizeError) Unwrap() error { return e.Err }

// fieldError is a missing or malformed form field: errors.Is finds the
// sentinel, errors.As finds the *coffer.ArgumentError S3 renders.
type fieldError struct {
	sentinel error
	arg      *coffer.ArgumentError
}

func (e *fieldError) Error() string   { return e.arg.Message }
func (e *fieldError) Unwrap() []error { return []error{e.sentinel, e.arg} }

// missingField uses S3's wording, two spaces included.
func missingField(name string) error {
	return &fieldError{sentinel: ErrMissingField, arg: &coffer.ArgumentError{
		Name:    name,
		Message: fmt.Sprintf("Bucket POST must contain a field named '%s'.  If it is specified, please check the order of the fields.", name),
	}}
}

func invalidField(name, value, message string) error {
	if len(value) > 256 {
		value = value[:256]
	}
	return &fieldError{sentinel: ErrInvalidField, arg: &coffer.ArgumentError{Name: name, Value: value, Message: message}}
}
