package iam

import (
	"errors"
	"fmt"
)

// Sentinels of client mistakes; each *Error wraps exactly one. Front ends
// map each to one wire code (iamapi keeps that table).
var (
	ErrNoSuchEntity        = errors.New("iam: no such entity")
	ErrEntityAlreadyExists = errors.New("iam: entity already exists")
	ErrDeleteConflict      = errors.New("iam: entity still has attached resources")
	ErrLimitExceeded       = errors.New("iam: limit exceeded")
	ErrValidation          = errors.New("iam: invalid input")
	ErrMalformedPolicy     = errors.New("iam: malformed policy document")
)

// ErrWrongKey means the record key opens none of the stored records: the
// server was started with another root key than the one that wrote them.
var ErrWrongKey = errors.New("iam: the record key opens none of the stored IAM records (wrong root key?)")

// Error is a client mistake: Kind is one of the sentinels above, Message
// AWS's public text. It never carries a secret.
type Error struct {
	Kind    error
	Message string
}

func (e *Error) Error() string { return e.Message }

// Unwrap makes errors.Is(err, ErrNoSuchEntity) and the like hold.
func (e *Error) Unwrap() error { return e.Kind }

func newError(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

func noSuchUser(name string) error {
	return newError(ErrNoSuchEntity, "The user with name %s cannot be found.", name)
}

func noSuchAccessKey(id string) error {
	return newError(ErrNoSuchEntity, "The Access Key with id %s cannot be found.", id)
}

func noSuchPolicy(name string) error {
	return newError(ErrNoSuchEntity, "The user policy with name %s cannot be found.", name)
}
