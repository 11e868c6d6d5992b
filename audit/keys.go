package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
)

// KeySize is the length of the chain key Open and Verify take.
const KeySize = 32

// Labels that derive one subkey per use from the caller's chain key, so a
// MAC made for one purpose can never stand in for another.
const (
	recordKeyLabel = "coffer/audit/record-chain/v1"
	headKeyLabel   = "coffer/audit/head/v1"
	tokenKeyLabel  = "coffer/audit/lookup-token/v1"
)

type keys struct {
	record []byte // chains records
	head   []byte // MACs the head file
	token  []byte // MACs lookup NextTokens
}

var errKeySize = errors.New("audit: the chain key must be 32 bytes")

func deriveKeys(key []byte) (keys, error) {
	if len(key) != KeySize {
		return keys{}, errKeySize
	}
	return keys{
		record: subkey(key, recordKeyLabel),
		head:   subkey(key, headKeyLabel),
		token:  subkey(key, tokenKeyLabel),
	}, nil
}

func subkey(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}
