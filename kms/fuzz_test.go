package kms

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// parseCanonicalContext is canonicalContext's inverse, for the fuzz tests:
// it accepts only canonical input (sorted unique keys, no trailing bytes).
func parseCanonicalContext(b []byte) (map[string]string, bool) {
	if len(b) == 0 {
		return map[string]string{}, true
	}
	if len(b) < 2 {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if n == 0 {
		return nil, false // the empty context is the empty string
	}
	out := make(map[string]string, n)
	prev := ""
	for i := range n {
		k, rest, ok := readLengthPrefixed(b)
		if !ok {
			return nil, false
		}
		v, rest, ok := readLengthPrefixed(rest)
		if !ok || (i > 0 && k <= prev) {
			return nil, false
		}
		out[k], prev, b = v, k, rest
	}
	return out, len(b) == 0
}

func readLengthPrefixed(b []byte) (string, []byte, bool) {
	if len(b) < 2 {
		return "", nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		return "", nil, false
	}
	return string(b[2 : 2+n]), b[2+n:], true
}

// contextFrom splits fuzz input into a context: pairs separated by 0x00,
// key and value by 0x01.
func contextFrom(b []byte) map[string]string {
	ec := map[string]string{}
	for _, pair := range bytes.Split(b, []byte{0}) {
		if len(pair) == 0 {
			continue
		}
		k, v, _ := bytes.Cut(pair, []byte{1})
		ec[string(k)] = string(v)
	}
	return ec
}

func sameContext(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// FuzzCanonicalContext: the encoding round-trips, and two contexts encode
// alike only if they are the same context.
func FuzzCanonicalContext(f *testing.F) {
	f.Add([]byte("ab\x01c"), []byte("a\x01bc"))
	f.Add([]byte("a\x01b\x00c\x01d"), []byte("a\x01bc\x00\x01d"))
	f.Add([]byte("aws:s3:arn\x01arn:aws:s3:::b/k"), []byte("aws:s3:arn\x01arn:aws:s3:::b/k\x00x\x01"))
	f.Add([]byte(""), []byte("\x01"))
	f.Fuzz(func(t *testing.T, x, y []byte) {
		a, b := contextFrom(x), contextFrom(y)
		ea, ok := canonicalContext(a)
		if !ok {
			t.Skip()
		}
		eb, _ := canonicalContext(b)
		back, ok := parseCanonicalContext(ea)
		if !ok || !sameContext(back, a) {
			t.Fatalf("%q does not round-trip: %q", a, back)
		}
		if bytes.Equal(ea, eb) != sameContext(a, b) {
			t.Fatalf("contexts %q and %q: encodings equal %v", a, b, bytes.Equal(ea, eb))
		}
	})
}

// FuzzParseCanonicalContext: any byte string is either refused or is the
// encoding of the context it parses to.
func FuzzParseCanonicalContext(f *testing.F) {
	seed, _ := hex.DecodeString(vectorContext)
	f.Add(seed)
	f.Add([]byte{})
	f.Add([]byte{0, 0})
	f.Add([]byte{0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ec, ok := parseCanonicalContext(b)
		if !ok {
			return
		}
		again, ok := canonicalContext(ec)
		if !ok || !bytes.Equal(again, b) {
			t.Fatalf("%x parses to %q, which encodes to %x", b, ec, again)
		}
	})
}

// FuzzOpenBlob: arbitrary bytes never panic the parser or the opener and
// never decrypt, except the genuine blob itself.
func FuzzOpenBlob(f *testing.F) {
	genuine, _ := hex.DecodeString(vectorBlob)
	f.Add(genuine)
	f.Add(genuine[:blobOverhead])
	f.Add([]byte{blobVersion})
	f.Add(append([]byte{0x02}, genuine[1:]...))
	m := vectorMaterial()
	ec, _ := canonicalContext(vectorS3Context)
	f.Fuzz(func(t *testing.T, blob []byte) {
		h, err := parseBlob(blob)
		if err != nil {
			if code(err) != CodeInvalidCiphertext {
				t.Fatalf("parse error %v", err)
			}
			return
		}
		if h.materialID != m.id {
			return
		}
		plaintext, err := openBlob(blob, m, ec)
		if err == nil && !bytes.Equal(blob, genuine) {
			t.Fatalf("forged blob %x opened to %q", blob, plaintext)
		}
		if err != nil && code(err) != CodeInvalidCiphertext {
			t.Fatalf("open error %v", err)
		}
	})
}

// FuzzDecryptRequest drives the whole Decrypt operation with arbitrary
// blobs, contexts and key ids: it answers a KMS error, never panics, and
// decrypts only what Encrypt made.
func FuzzDecryptRequest(f *testing.F) {
	fx := newFixture(f)
	key := fx.newKey()
	blob := fx.encrypt(key.KeyId, []byte("fuzz"), map[string]string{"k": "v"})
	f.Add(blob, []byte("k\x01v"), "")
	f.Add(blob, []byte("k\x01v"), key.Arn)
	f.Add(blob[:50], []byte(""), "alias/x")
	f.Add([]byte{}, []byte("\x01"), "arn:aws:kms:")
	f.Fuzz(func(t *testing.T, b, ecBytes []byte, keyID string) {
		out, err := fx.api.Decrypt(fx.ctx, &DecryptInput{CiphertextBlob: b, EncryptionContext: contextFrom(ecBytes), KeyId: keyID})
		if err != nil {
			if c := code(err); len(c) > 9 && c[:9] == "internal:" {
				t.Fatalf("internal error %v", err)
			}
			return
		}
		if string(out.Plaintext) != "fuzz" || !bytes.Equal(b, blob) {
			t.Fatalf("decrypted %x to %q", b, out.Plaintext)
		}
	})
}
