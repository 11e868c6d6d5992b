package iam

import (
	"fmt"
	"io"
)

// Identifier shapes, as AWS makes them: a four-letter prefix naming the
// kind of entity, then random upper-case letters and digits; secrets are
// 40 characters of the base64 alphabet (240 random bits).
const (
	userIDPrefix      = "AIDA"
	userIDRandom      = 17
	accessKeyIDPrefix = "AKIA"
	accessKeyIDRandom = 16
	secretLength      = 40

	idAlphabet     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// randomString draws n characters uniformly from alphabet (at most 256
// characters) by rejection sampling, so that no character is likelier
// than another.
func randomString(random io.Reader, alphabet string, n int) (string, error) {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+4)
	for len(out) < n {
		if _, err := io.ReadFull(random, buf); err != nil {
			return "", fmt.Errorf("iam: reading randomness: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// isID reports whether s is prefix followed by n characters of idAlphabet.
func isID(s, prefix string, n int) bool {
	if len(s) != len(prefix)+n || s[:len(prefix)] != prefix {
		return false
	}
	for i := len(prefix); i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func isSecret(s string) bool {
	if len(s) != secretLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}
