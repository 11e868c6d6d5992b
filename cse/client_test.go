package cse

import (
	"bytes"
	"context"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

const testPartSize = 64 << 10

// keyringCase builds one kind of keyring over a shared fake KMS.
type keyringCase struct {
	name string
	make func(t *testing.T, k *fakeKMS) Keyring
	kms  bool
}

var keyringCases = []keyringCase{
	{name: "KMS", kms: true, make: func(t *testing.T, k *fakeKMS) Keyring { return NewKMSKeyring(k, "alias/one") }},
	{name: "AES", make: func(t *testing.T, _ *fakeKMS) Keyring {
		k, err := NewAESKeyring(bytes.Repeat([]byte{0x42}, 32))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}},
	{name: "RSA", make: func(t *testing.T, _ *fakeKMS) Keyring {
		k, err := NewRSAKeyring(testRSAKey(t))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}},
}

var formatCases = []Format{FormatV2, FormatV3}

func testPlaintext(seed string, n int) []byte {
	var s [32]byte
	copy(s[:], seed)
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(s).Read(b)
	return b
}

// putGet writes and reads one object and returns what the store holds.
func putGet(t *testing.T, c *Client, store *fakeS3, key string, plaintext []byte, size int64, ec map[string]string) *PutOutput {
	t.Helper()
	ctx := context.Background()
	put, err := c.Put(ctx, PutInput{Bucket: "b", Key: key, Body: bytes.NewReader(plaintext), Size: size,
		EncryptionContext: ec, ContentType: "text/plain", Metadata: map[string]string{"owner": "tests"}})
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	out, err := c.Get(ctx, GetInput{Bucket: "b", Key: key, EncryptionContext: ec})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || !bytes.Equal(got, plaintext) {
		t.Fatalf("Get: %v, %d bytes, equal %v", err, len(got), bytes.Equal(got, plaintext))
	}
	if out.Size != int64(len(plaintext)) || out.ContentType != "text/plain" || out.Metadata["owner"] != "tests" {
		t.Fatalf("Get: size %d, content type %q, metadata %v", out.Size, out.ContentType, out.Metadata)
	}
	if out.Envelope.Format != put.Envelope.Format || out.Envelope.WrapAlg != put.Envelope.WrapAlg ||
		out.Envelope.KMSKeyID != put.Envelope.KMSKeyID || out.Envelope.Location != put.Envelope.Location {
		t.Fatalf("Get envelope %+v, Put envelope %+v", out.Envelope, put.Envelope)
	}
	return put
}

func TestRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 29, 1000, testPartSize - 1, testPartSize, testPartSize + 1, 3*testPartSize + 5}
	for _, kc := range keyringCases {
		for _, format := range formatCases {
			for _, instruction := range []bool{false, true} {
				name := fmt.Sprintf("%s %v instruction file %v", kc.name, format, instruction)
				t.Run(name, func(t *testing.T) {
					kms := newFakeKMS("one")
					store := newFakeS3()
					c := New(store, kc.make(t, kms), Options{Format: format, InstructionFile: instruction, PartSize: testPartSize})
					var ec map[string]string
					if kc.kms {
						ec = map[string]string{"project": "coffer", "département": "chiffré"}
					}
					for _, size := range sizes {
						for _, known := range []bool{true, false} {
							key := fmt.Sprintf("obj/%d/%v", size, known)
							plaintext := testPlaintext(key, size)
							declared := int64(size)
							if !known {
								declared = -1
							}
							uploads := store.count("CreateMultipartUpload")
							put := putGet(t, c, store, key, plaintext, declared, ec)
							checkStored(t, store, key, plaintext, put, format, instruction, known || size <= testPartSize)
							multipart := store.count("CreateMultipartUpload") > uploads
							if multipart != (size > testPartSize) {
								t.Fatalf("%s: multipart %v for %d bytes with parts of %d", key, multipart, size, testPartSize)
							}
						}
					}
				})
			}
		}
	}
}

// checkStored looks at what the store holds: ciphertext of the right
// length, the envelope where it belongs, parts of whole blocks.
func checkStored(t *testing.T, store *fakeS3, key string, plaintext []byte, put *PutOutput, format Format, instruction, lengthKnown bool) {
	t.Helper()
	meta, body, _ := store.stored("b", key)
	if len(body) != len(plaintext)+16 || (len(plaintext) >= 16 && bytes.Contains(body, plaintext[:16])) {
		t.Fatalf("%s: stored %d bytes for %d of plaintext, or the plaintext shows", key, len(body), len(plaintext))
	}
	o := store.objects["b/"+key]
	for i, p := range o.parts {
		if i < len(o.parts)-1 && (p != testPartSize || p%16 != 0) {
			t.Fatalf("%s: part %d has %d bytes", key, i+1, p)
		}
	}
	file, _, hasFile := store.stored("b", key+".instruction")
	if hasFile != instruction {
		t.Fatalf("%s: instruction file present %v", key, hasFile)
	}
	if meta["owner"] != "tests" {
		t.Fatalf("%s: user metadata lost: %v", key, meta)
	}
	envelopeKeys := map[string]bool{}
	for k := range meta {
		if strings.HasPrefix(k, "x-amz-") {
			envelopeKeys[k] = true
		}
	}
	var want []string
	switch {
	case format == FormatV2 && !instruction:
		want = []string{keyV2Key, keyIV, keyMatDesc, keyWrapAlg, keyCEKAlg, keyTagLen}
	case format == FormatV3 && !instruction:
		want = []string{keyV3CEK, keyV3Key, keyV3Wrap, keyV3Commit, keyV3MsgID}
	case format == FormatV3 && instruction:
		want = []string{keyV3CEK, keyV3Commit, keyV3MsgID}
	}
	if lengthKnown && !(format == FormatV2 && instruction) {
		want = append(want, keyPlainLen)
	}
	for _, k := range want {
		if !envelopeKeys[k] {
			t.Fatalf("%s: metadata lacks %s: %v", key, k, meta)
		}
		delete(envelopeKeys, k)
	}
	delete(envelopeKeys, keyV3Context)
	delete(envelopeKeys, keyV3MatDesc)
	if len(envelopeKeys) > 0 {
		t.Fatalf("%s: unexpected metadata keys %v", key, envelopeKeys)
	}
	if instruction {
		if store.objects["b/"+key+".instruction"].meta[instructionMarker] != "" {
			t.Fatal("the instruction file lacks its marker")
		}
		if _, ok := store.objects["b/"+key+".instruction"].meta[instructionMarker]; !ok {
			t.Fatal("the instruction file lacks its marker")
		}
		_ = file
	}
	if put.Envelope.PlaintextSize != int64(len(plaintext)) {
		t.Fatalf("%s: PutOutput.Envelope.PlaintextSize = %d", key, put.Envelope.PlaintextSize)
	}
}

func TestInstructionFileContents(t *testing.T) {
	kms := newFakeKMS("one")
	for _, format := range formatCases {
		store := newFakeS3()
		c := New(store, NewKMSKeyring(kms, "alias/one"), Options{Format: format, InstructionFile: true})
		if _, err := c.Put(context.Background(), PutInput{Bucket: "b", Key: "k", Body: strings.NewReader("hello"), Size: 5}); err != nil {
			t.Fatal(err)
		}
		_, raw, _ := store.stored("b", "k.instruction")
		file, err := parseInstructionFile(raw)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		if format == FormatV2 {
			want = []string{keyV2Key, keyIV, keyMatDesc, keyWrapAlg, keyCEKAlg, keyTagLen, keyPlainLen}
		} else {
			want = []string{keyV3Key, keyV3Wrap, keyV3Context}
		}
		if len(file) != len(want) || !hasAll(file, want...) {
			t.Fatalf("%v instruction file: %s", format, raw)
		}
		env, err := Inspect(context.Background(), store, "b", "k")
		if err != nil || env.Location != LocationInstructionFile || env.Format != format.String() || env.WrapAlg != wrapKMSEC ||
			env.PlaintextSize != 5 || env.Context[contextCEKKey] == "" {
			t.Fatalf("Inspect: %+v, %v", env, err)
		}
	}
}

func TestPutChecksItsInput(t *testing.T) {
	store := newFakeS3()
	aesRing, _ := NewAESKeyring(make([]byte, 32))
	c := New(store, aesRing, Options{PartSize: testPartSize})
	ctx := context.Background()
	body := testPlaintext("x", 3*testPartSize)
	cases := []struct {
		name string
		in   PutInput
		opts Options
	}{
		{name: "shorter than Size", in: PutInput{Body: bytes.NewReader(body[:100]), Size: 101}},
		{name: "longer than Size", in: PutInput{Body: bytes.NewReader(body[:100]), Size: 99}},
		{name: "multipart shorter than Size", in: PutInput{Body: bytes.NewReader(body), Size: int64(len(body)) + 1}},
		{name: "multipart longer than Size", in: PutInput{Body: bytes.NewReader(body), Size: int64(len(body)) - 1}},
		{name: "longer than Size by a part", in: PutInput{Body: bytes.NewReader(body), Size: 10}},
		{name: "envelope key in user metadata", in: PutInput{Body: bytes.NewReader(body[:1]), Size: 1, Metadata: map[string]string{"X-Amz-Iv": "x"}}},
		{name: "context with an AES keyring", in: PutInput{Body: bytes.NewReader(body[:1]), Size: 1, EncryptionContext: map[string]string{"a": "b"}}},
		{name: "no body", in: PutInput{Size: 0}},
		{name: "part size not whole blocks", in: PutInput{Body: bytes.NewReader(body[:1]), Size: 1}, opts: Options{PartSize: 100}},
		{name: "unknown format", in: PutInput{Body: bytes.NewReader(body[:1]), Size: 1}, opts: Options{Format: 7}},
		{name: "negative concurrency", in: PutInput{Body: bytes.NewReader(body), Size: -1}, opts: Options{PartSize: testPartSize, Concurrency: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cc := c
			if tc.opts != (Options{}) {
				cc = New(store, aesRing, tc.opts)
			}
			tc.in.Bucket, tc.in.Key = "b", tc.name
			if _, err := cc.Put(ctx, tc.in); err == nil {
				t.Fatal("Put succeeded")
			}
			if _, _, ok := store.stored("b", tc.name); ok {
				t.Fatal("an object was stored")
			}
			if len(store.uploads) != 0 {
				t.Fatal("a multipart upload was left behind")
			}
		})
	}
}

func TestPutAbortsFailedUploads(t *testing.T) {
	aesRing, _ := NewAESKeyring(make([]byte, 32))
	boom := errors.New("injected failure")
	for _, failOp := range []string{"UploadPart 1", "UploadPart 3", "CompleteMultipartUpload"} {
		t.Run(failOp, func(t *testing.T) {
			store := newFakeS3()
			store.fail = func(op string) error {
				if op == failOp {
					return boom
				}
				return nil
			}
			c := New(store, aesRing, Options{PartSize: testPartSize})
			_, err := c.Put(context.Background(), PutInput{Bucket: "b", Key: "k", Body: bytes.NewReader(make([]byte, 4*testPartSize)), Size: -1})
			if !errors.Is(err, boom) {
				t.Fatalf("Put: %v", err)
			}
			if len(store.aborted) != 1 || len(store.uploads) != 0 {
				t.Fatalf("aborted %v, open uploads %d", store.aborted, len(store.uploads))
			}
			if _, _, ok := store.stored("b", "k"); ok {
				t.Fatal("an object was stored")
			}
		})
	}
	t.Run("body read error", func(t *testing.T) {
		store := newFakeS3()
		c := New(store, aesRing, Options{PartSize: testPartSize})
		body := io.MultiReader(bytes.NewReader(make([]byte, 2*testPartSize)), errReader{boom})
		if _, err := c.Put(context.Background(), PutInput{Bucket: "b", Key: "k", Body: body, Size: -1}); !errors.Is(err, boom) {
			t.Fatalf("Put: %v", err)
		}
		if len(store.aborted) != 1 {
			t.Fatalf("aborted %v", store.aborted)
		}
	})
	t.Run("cancelled context still aborts", func(t *testing.T) {
		store := newFakeS3()
		ctx, cancel := context.WithCancel(context.Background())
		store.fail = func(op string) error {
			if op == "UploadPart 2" {
				cancel()
				return context.Canceled
			}
			return nil
		}
		c := New(store, aesRing, Options{PartSize: testPartSize})
		if _, err := c.Put(ctx, PutInput{Bucket: "b", Key: "k", Body: bytes.NewReader(make([]byte, 3*testPartSize)), Size: -1}); err == nil {
			t.Fatal("Put succeeded")
		}
		if len(store.aborted) != 1 {
			t.Fatalf("aborted %v", store.aborted)
		}
	})
}

var (
	otherRSAOnce sync.Once
	otherRSAKey  *rsa.PrivateKey
	otherRSAErr  error
)

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestEncryptionContext(t *testing.T) {
	kms := newFakeKMS("one")
	store := newFakeS3()
	c := New(store, NewKMSKeyring(kms, "alias/one"), Options{})
	ctx := context.Background()
	ec := map[string]string{"tenant": "acme", "unicode": "naïve ☃"}
	if _, err := c.Put(ctx, PutInput{Bucket: "b", Key: "k", Body: strings.NewReader("x"), Size: 1, EncryptionContext: ec}); err != nil {
		t.Fatal(err)
	}
	meta, _, _ := store.stored("b", "k")
	if strings.ContainsFunc(meta[keyMatDesc], func(r rune) bool { return r > 127 }) {
		t.Fatalf("x-amz-matdesc is not ASCII: %q", meta[keyMatDesc])
	}
	cases := []struct {
		name string
		ec   map[string]string
		want error
	}{
		{name: "none given", ec: nil},
		{name: "equal", ec: map[string]string{"tenant": "acme", "unicode": "naïve ☃"}},
		{name: "other value", ec: map[string]string{"tenant": "evil", "unicode": "naïve ☃"}, want: ErrContextMismatch},
		{name: "subset", ec: map[string]string{"tenant": "acme"}, want: ErrContextMismatch},
		{name: "superset", ec: map[string]string{"tenant": "acme", "unicode": "naïve ☃", "x": "y"}, want: ErrContextMismatch},
		{name: "empty", ec: map[string]string{}, want: ErrContextMismatch},
		{name: "with the reserved key", ec: map[string]string{"tenant": "acme", "unicode": "naïve ☃", contextCEKKey: cekGCM}, want: ErrContextMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := kms.callCount()
			out, err := c.Get(ctx, GetInput{Bucket: "b", Key: "k", EncryptionContext: tc.ec})
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				out.Body.Close()
				if out.Envelope.Context["tenant"] != "acme" || out.Envelope.Context[contextCEKKey] != cekGCM {
					t.Fatalf("Envelope.Context = %v", out.Envelope.Context)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if kms.callCount() != calls {
				t.Fatal("KMS was called for a context that does not match")
			}
		})
	}
	for _, reserved := range []string{contextCEKKey, contextCMKKey} {
		_, err := c.Put(ctx, PutInput{Bucket: "b", Key: "r", Body: strings.NewReader("x"), Size: 1, EncryptionContext: map[string]string{reserved: "x"}})
		if !errors.Is(err, ErrContextMismatch) {
			t.Fatalf("Put with %s in the context: %v", reserved, err)
		}
	}
	// S3 returns non-ASCII metadata RFC 2047 encoded ("double encoding");
	// such a context still decodes and matches.
	encoded := "=?UTF-8?B?" + base64Std(latin1(`{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","tenant":"acme","unicode":"naïve ☃"}`)) + "?="
	meta[keyMatDesc] = encoded
	_, body, _ := store.stored("b", "k")
	store.set("b", "k", meta, body)
	if _, _, err := c.GetAll(ctx, GetInput{Bucket: "b", Key: "k", EncryptionContext: ec}, 10); err != nil {
		t.Fatalf("double-encoded context: %v", err)
	}
}

// latin1 re-encodes the UTF-8 bytes of s as if each were an ISO-8859-1
// character, as S3 does before RFC 2047 encoding.
func latin1(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		b.WriteRune(rune(c))
	}
	return b.String()
}

func TestRawKeyringMaterialDescription(t *testing.T) {
	store := newFakeS3()
	aesRing, _ := NewAESKeyring(make([]byte, 32))
	c := New(store, aesRing, Options{})
	ctx := context.Background()
	if _, err := c.Put(ctx, PutInput{Bucket: "b", Key: "k", Body: strings.NewReader("x"), Size: 1}); err != nil {
		t.Fatal(err)
	}
	meta, body, _ := store.stored("b", "k")
	meta[keyMatDesc] = `{"name":"other"}`
	store.set("b", "k2", meta, body)
	if _, err := c.Get(ctx, GetInput{Bucket: "b", Key: "k2"}); !errors.Is(err, ErrContextMismatch) {
		t.Fatalf("changed material description: %v", err)
	}
	if _, _, err := c.GetAll(ctx, GetInput{Bucket: "b", Key: "k2", EncryptionContext: map[string]string{"name": "other"}}, 10); err != nil {
		t.Fatalf("material description given: %v", err)
	}
	if _, err := c.Get(ctx, GetInput{Bucket: "b", Key: "k", EncryptionContext: map[string]string{"name": "other"}}); !errors.Is(err, ErrContextMismatch) {
		t.Fatalf("material description given for an object without: %v", err)
	}
}

func TestWrongKeys(t *testing.T) {
	ctx := context.Background()
	kms := newFakeKMS("one", "two")
	aesA, _ := NewAESKeyring(bytes.Repeat([]byte{1}, 32))
	aesB, _ := NewAESKeyring(bytes.Repeat([]byte{2}, 32))
	rsaA, _ := NewRSAKeyring(testRSAKey(t))
	rsaOnly, _ := NewRSAEncryptOnlyKeyring(&testRSAKey(t).PublicKey)
	otherRSA := otherRSAKeyring(t)
	kmsOne, kmsTwo, kmsAny := NewKMSKeyring(kms, "alias/one"), NewKMSKeyring(kms, fakeAccount+"two"), NewKMSKeyring(kms, "")
	cases := []struct {
		name          string
		writer, reder Keyring
		want          error
	}{
		{name: "AES with another AES key", writer: aesA, reder: aesB, want: ErrWrongKey},
		{name: "AES object, RSA keyring", writer: aesA, reder: rsaA, want: ErrWrongKey},
		{name: "AES object, KMS keyring", writer: aesA, reder: kmsOne, want: ErrWrongKey},
		{name: "RSA with another RSA key", writer: rsaA, reder: otherRSA, want: ErrWrongKey},
		{name: "RSA object, encrypt-only keyring", writer: rsaOnly, reder: rsaOnly, want: ErrWrongKey},
		{name: "RSA written by the encrypt-only keyring", writer: rsaOnly, reder: rsaA},
		{name: "KMS with another key id", writer: kmsOne, reder: kmsTwo, want: ErrWrongKey},
		{name: "KMS object, AES keyring", writer: kmsOne, reder: aesA, want: ErrWrongKey},
		{name: "KMS any-key keyring", writer: kmsOne, reder: kmsAny},
		{name: "KMS by ARN, read by alias", writer: kmsTwo, reder: NewKMSKeyring(kms, "alias/two")},
	}
	for _, format := range formatCases {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%v %s", format, tc.name), func(t *testing.T) {
				store := newFakeS3()
				if _, err := New(store, tc.writer, Options{Format: format}).Put(ctx, PutInput{Bucket: "b", Key: "k", Body: strings.NewReader("secret"), Size: 6}); err != nil {
					t.Fatal(err)
				}
				got, _, err := New(store, tc.reder, Options{}).GetAll(ctx, GetInput{Bucket: "b", Key: "k"}, 100)
				if tc.want == nil {
					if err != nil || string(got) != "secret" {
						t.Fatalf("GetAll: %q, %v", got, err)
					}
					return
				}
				if !errors.Is(err, tc.want) || got != nil {
					t.Fatalf("GetAll: err = %v, want %v", err, tc.want)
				}
			})
		}
	}
	if _, err := New(newFakeS3(), kmsAny, Options{}).Put(ctx, PutInput{Bucket: "b", Key: "k", Body: strings.NewReader(""), Size: 0}); err == nil {
		t.Fatal("the any-key keyring encrypted")
	}
}

// otherRSAKeyring holds a fresh RSA key, not the test key.
func otherRSAKeyring(t *testing.T) Keyring {
	t.Helper()
	otherRSAOnce.Do(func() { otherRSAKey, otherRSAErr = rsa.GenerateKey(cryptorand.Reader, 2048) })
	if otherRSAErr != nil {
		t.Fatal(otherRSAErr)
	}
	k, err := NewRSAKeyring(otherRSAKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKMSDenied(t *testing.T) {
	ctx := context.Background()
	kms := newFakeKMS("one")
	store := newFakeS3()
	c := New(store, NewKMSKeyring(kms, "alias/one"), Options{})
	if _, err := c.Put(ctx, PutInput{Bucket: "b", Key: "k", Body: strings.NewReader("x"), Size: 1}); err != nil {
		t.Fatal(err)
	}
	kms.disabled[fakeAccount+"one"] = true
	if _, err := c.Get(ctx, GetInput{Bucket: "b", Key: "k"}); !errors.Is(err, ErrKMSDenied) {
		t.Fatalf("Get under a disabled key: %v", err)
	}
	if _, err := c.Put(ctx, PutInput{Bucket: "b", Key: "k2", Body: strings.NewReader("x"), Size: 1}); !errors.Is(err, ErrKMSDenied) {
		t.Fatalf("Put under a disabled key: %v", err)
	}
	if _, err := New(store, NewKMSKeyring(kms, "alias/missing"), Options{}).Put(ctx, PutInput{Bucket: "b", Key: "k3", Body: strings.NewReader("x"), Size: 1}); !errors.Is(err, ErrKMSDenied) {
		t.Fatalf("Put under a missing key: %v", err)
	}
	denied := kmsError("Decrypt", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"})
	if !errors.Is(denied, ErrKMSDenied) {
		t.Fatalf("AccessDeniedException maps to %v", denied)
	}
	if other := kmsError("Decrypt", errors.New("dial tcp: refused")); errors.Is(other, ErrKMSDenied) || errors.Is(other, ErrWrongKey) {
		t.Fatalf("a network error maps to a sentinel: %v", other)
	}
}

func TestMissingEnvelopes(t *testing.T) {
	ctx := context.Background()
	aesRing, _ := NewAESKeyring(make([]byte, 32))
	store := newFakeS3()
	c := New(store, aesRing, Options{Format: FormatV3, InstructionFile: true})
	store.set("b", "plain", map[string]string{"owner": "x"}, []byte("hello"))
	if _, err := c.Put(ctx, PutInput{Bucket: "b", Key: "v3", Body: strings.NewReader("x"), Size: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(store, aesRing, Options{}).Put(ctx, PutInput{Bucket: "b", Key: "v2", Body: strings.NewReader("x"), Size: 1}); err != nil {
		t.Fatal(err)
	}
	v2meta, v2body, _ := store.stored("b", "v2")
	partial := maps.Clone(v2meta)
	delete(partial, keyIV)
	store.set("b", "partial", partial, v2body)
	store.remove("b", "v3.instruction")

	cases := []struct{ key string }{{"plain"}, {"partial"}, {"v3"}, {"missing"}}
	want := map[string]error{"plain": ErrNotEncrypted, "partial": ErrMissingMetadata, "v3": ErrMissingMetadata}
	for _, tc := range cases {
		_, err := c.Get(ctx, GetInput{Bucket: "b", Key: tc.key})
		if w := want[tc.key]; w != nil && !errors.Is(err, w) {
			t.Fatalf("%s: err = %v, want %v", tc.key, err, w)
		}
		if tc.key == "missing" {
			var noKey *types.NoSuchKey
			if !errors.As(err, &noKey) {
				t.Fatalf("missing object: %v", err)
			}
		}
		if _, err := Inspect(ctx, store, "b", tc.key); err == nil || (want[tc.key] != nil && !errors.Is(err, want[tc.key])) {
			t.Fatalf("Inspect %s: %v", tc.key, err)
		}
	}
}

func TestLegacyNeedsOptIn(t *testing.T) {
	ctx := context.Background()
	for _, v := range knownAnswers() {
		if !v.options.AllowLegacyV1 {
			continue
		}
		store := newFakeS3()
		meta := maps.Clone(v.meta)
		store.set("b", "k", meta, mustHex(v.bodies[1].hex))
		_, err := New(store, v.keyring(t), Options{}).Get(ctx, GetInput{Bucket: "b", Key: "k"})
		if !errors.Is(err, ErrUnsupportedFormat) {
			t.Fatalf("%s without AllowLegacyV1: %v", v.name, err)
		}
		env, err := Inspect(ctx, store, "b", "k")
		if err != nil || env.ContentAlg != cekCBC {
			t.Fatalf("Inspect %s: %+v, %v", v.name, env, err)
		}
	}
}

func TestInspectCallsNoKMS(t *testing.T) {
	kms := newFakeKMS("one")
	store := newFakeS3()
	c := New(store, NewKMSKeyring(kms, "alias/one"), Options{Format: FormatV3})
	if _, err := c.Put(context.Background(), PutInput{Bucket: "b", Key: "k", Body: strings.NewReader("abc"), Size: -1,
		EncryptionContext: map[string]string{"a": "b"}}); err != nil {
		t.Fatal(err)
	}
	calls := kms.callCount()
	env, err := Inspect(context.Background(), store, "b", "k")
	if err != nil {
		t.Fatal(err)
	}
	want := Envelope{Format: "V3", ContentAlg: "115", WrapAlg: "kms+context", Location: LocationMetadata, PlaintextSize: 3,
		Context: map[string]string{"a": "b", contextCEKKey: "115"}}
	if env.Format != want.Format || env.ContentAlg != want.ContentAlg || env.WrapAlg != want.WrapAlg || env.Location != want.Location ||
		env.PlaintextSize != want.PlaintextSize || !maps.Equal(env.Context, want.Context) {
		t.Fatalf("Inspect = %+v, want %+v", env, want)
	}
	if kms.callCount() != calls {
		t.Fatal("Inspect called KMS")
	}
}

// TestConstantMemory streams 64 MiB through Put (multipart, unknown size)
// and Get and checks that neither allocates anywhere near the object size.
func TestConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB")
	}
	const size = 64 << 20
	const partSize = 1 << 20
	aesRing, _ := NewAESKeyring(make([]byte, 32))
	store := newFakeS3()
	store.discard = true
	c := New(store, aesRing, Options{PartSize: partSize})
	allocated := measureAlloc(func() {
		if _, err := c.Put(context.Background(), PutInput{Bucket: "b", Key: "k", Body: io.LimitReader(zeroReader{}, size), Size: -1}); err != nil {
			t.Fatal(err)
		}
	})
	if allocated > 8*partSize {
		t.Fatalf("Put of %d bytes allocated %d bytes", size, allocated)
	}
	if n := store.count("UploadPart"); n != size/partSize { // the tag rides on the last part
		t.Fatalf("%d parts", n)
	}

	// Get: a ciphertext source that is generated, not stored.
	key, iv := make([]byte, 32), make([]byte, 12)
	allocated = measureAlloc(func() {
		src, err := newSealReader(io.LimitReader(zeroReader{}, size), key, iv, nil)
		if err != nil {
			t.Fatal(err)
		}
		or, err := newOpenReader(src, key, iv, nil, size)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := io.CopyBuffer(io.Discard, or, make([]byte, 64<<10)); err != nil || n != size {
			t.Fatalf("copied %d: %v", n, err)
		}
	})
	if allocated > 1<<20 {
		t.Fatalf("decrypting %d bytes allocated %d bytes", size, allocated)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func measureAlloc(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestGetAllRejectsLargeAndTampered(t *testing.T) {
	ctx := context.Background()
	aesRing, _ := NewAESKeyring(make([]byte, 32))
	store := newFakeS3()
	c := New(store, aesRing, Options{})
	if _, err := c.Put(ctx, PutInput{Bucket: "b", Key: "k", Body: strings.NewReader("0123456789"), Size: 10}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GetAll(ctx, GetInput{Bucket: "b", Key: "k"}, 9); err == nil {
		t.Fatal("GetAll of 10 bytes with a limit of 9")
	}
	meta, body, _ := store.stored("b", "k")
	body[3] ^= 1
	store.set("b", "k", meta, body)
	if got, _, err := c.GetAll(ctx, GetInput{Bucket: "b", Key: "k"}, 100); !errors.Is(err, ErrTampered) || got != nil {
		t.Fatalf("GetAll of a tampered object: %q, %v", got, err)
	}
}

func TestSSEFieldsReachEveryWrite(t *testing.T) {
	aesRing, _ := NewAESKeyring(make([]byte, 32))
	var seen []types.ServerSideEncryption
	rec := &recordingS3{fakeS3: newFakeS3(), onPut: func(in *s3.PutObjectInput) { seen = append(seen, in.ServerSideEncryption) },
		onCreate: func(in *s3.CreateMultipartUploadInput) { seen = append(seen, in.ServerSideEncryption) }}
	sse := func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAwsKms }
	c := New(rec, aesRing, Options{InstructionFile: true, PartSize: testPartSize})
	for _, size := range []int{10, 2 * testPartSize} {
		if _, err := c.Put(context.Background(), PutInput{Bucket: "b", Key: strconv.Itoa(size), Body: bytes.NewReader(make([]byte, size)), Size: -1, SSE: sse}); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 4 {
		t.Fatalf("%d writes", len(seen))
	}
	for _, s := range seen {
		if s != types.ServerSideEncryptionAwsKms {
			t.Fatalf("a write without SSE: %v", seen)
		}
	}
}

type recordingS3 struct {
	*fakeS3
	onPut    func(*s3.PutObjectInput)
	onCreate func(*s3.CreateMultipartUploadInput)
}

func (r *recordingS3) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	r.onPut(in)
	return r.fakeS3.PutObject(ctx, in, o...)
}

func (r *recordingS3) CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, o ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	r.onCreate(in)
	return r.fakeS3.CreateMultipartUpload(ctx, in, o...)
}
