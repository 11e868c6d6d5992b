package kms

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// aliasPrefix starts every alias name; reservedAliasPrefix starts the names
// of AWS managed keys' aliases, which callers cannot create or change.
const (
	aliasPrefix         = "alias/"
	reservedAliasPrefix = "alias/aws/"
	// s3ManagedAlias names the AWS managed key S3 uses by default; it is
	// created on first use.
	s3ManagedAlias = "alias/aws/s3"
)

var aliasNamePattern = regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`)

// keyRef is what a KeyId parameter names: a key (by id or ARN) or an alias
// (by name or ARN).
type keyRef struct {
	keyID string // lower-case UUID when the reference names a key
	alias string // "alias/<name>" when it names an alias
}

// refPolicy says which kinds of identifier an operation accepts.
type refPolicy int

const (
	keysOnly refPolicy = iota + 1
	keysOrAliases
)

// parseKeyRef parses a KeyId parameter. Identifiers that name nothing this
// KMS could hold (another Region or account, a malformed id) fail with the
// errors AWS gives for them.
func (k *KMS) parseKeyRef(s string, accept refPolicy) (keyRef, error) {
	if strings.HasPrefix(s, "arn:") {
		return k.parseARN(s, accept)
	}
	if strings.HasPrefix(s, aliasPrefix) {
		if accept != keysOrAliases {
			return keyRef{}, errInvalidKeyID(s)
		}
		return keyRef{alias: s}, nil
	}
	id, ok := canonicalUUID(s)
	if !ok {
		return keyRef{}, errInvalidKeyID(s)
	}
	return keyRef{keyID: id}, nil
}

func (k *KMS) parseARN(s string, accept refPolicy) (keyRef, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[1] != "aws" || parts[2] != "kms" || !isAccountID(parts[4]) {
		return keyRef{}, kmsError(CodeInvalidArn, "Invalid arn %s", clip(s))
	}
	region, account, resource := parts[3], parts[4], parts[5]
	if region != k.opts.Region {
		return keyRef{}, kmsError(CodeNotFound, "Invalid arn %s", clip(region))
	}
	switch {
	case strings.HasPrefix(resource, "key/"):
		id, ok := canonicalUUID(strings.TrimPrefix(resource, "key/"))
		if !ok {
			return keyRef{}, kmsError(CodeInvalidArn, "Invalid arn %s", clip(s))
		}
		if account != k.opts.AccountID {
			return keyRef{}, errKeyNotFound(s)
		}
		return keyRef{keyID: id}, nil
	case strings.HasPrefix(resource, aliasPrefix) && accept == keysOrAliases:
		if account != k.opts.AccountID {
			return keyRef{}, errAliasNotFound(s)
		}
		return keyRef{alias: resource}, nil
	case strings.HasPrefix(resource, aliasPrefix):
		return keyRef{}, errInvalidKeyID(s)
	}
	return keyRef{}, kmsError(CodeInvalidArn, "Invalid arn %s", clip(s))
}

// canonicalUUID accepts the 36-character UUID form in either case and
// returns it in lower case.
func canonicalUUID(s string) (string, bool) {
	if len(s) != 36 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
		default:
			if !isHex(c) {
				return "", false
			}
		}
	}
	return strings.ToLower(s), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// uuidBytes is the 16-byte form of a canonical UUID (blobs carry it).
func uuidBytes(id string) ([16]byte, error) {
	var out [16]byte
	raw, err := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	if err != nil || len(raw) != 16 {
		return out, fmt.Errorf("kms: malformed key id %q", id)
	}
	copy(out[:], raw)
	return out, nil
}

// uuidString is the canonical lower-case form of 16 UUID bytes.
func uuidString(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (k *KMS) keyARN(id string) string {
	return "arn:aws:kms:" + k.opts.Region + ":" + k.opts.AccountID + ":key/" + id
}

func (k *KMS) aliasARN(name string) string {
	return "arn:aws:kms:" + k.opts.Region + ":" + k.opts.AccountID + ":" + name
}
