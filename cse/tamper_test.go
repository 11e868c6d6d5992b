package cse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

var sentinels = []error{ErrWrongKey, ErrMissingMetadata, ErrUnsupportedFormat, ErrTampered, ErrKMSDenied, ErrContextMismatch, ErrNotEncrypted}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// readBack gets and reads an object through, returning the first error.
func readBack(c *Client, key string) ([]byte, error) {
	out, err := c.Get(context.Background(), GetInput{Bucket: "b", Key: key})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// flips returns the byte positions to flip in a value of n bytes: all of
// them for short values, an even sample of 64 for long ones (RSA-wrapped
// keys), always including the first and the last.
func flips(n int) []int {
	stride := max(1, n/64)
	var at []int
	for i := 0; i < n; i += stride {
		at = append(at, i)
	}
	if n > 0 && at[len(at)-1] != n-1 {
		at = append(at, n-1)
	}
	return at
}

func flipBit(s string, i int) string {
	b := []byte(s)
	b[i] ^= 1 << (i % 7) // stays ASCII
	return string(b)
}

// TestTampering writes objects in every format, wrapping and location,
// then changes one thing at a time and checks that reading fails with one
// of the package's errors: a bit of the body or tag, a bit of every
// metadata value, a bit of the instruction file, a whole key removed, and
// metadata, instruction files and bodies swapped between two objects.
func TestTampering(t *testing.T) {
	for _, kc := range keyringCases {
		for _, format := range formatCases {
			for _, instruction := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s %v instruction file %v", kc.name, format, instruction), func(t *testing.T) {
					tamperOne(t, kc, format, instruction)
				})
			}
		}
	}
}

func tamperOne(t *testing.T, kc keyringCase, format Format, instruction bool) {
	kms := newFakeKMS("one")
	store := newFakeS3()
	c := New(store, kc.make(t, kms), Options{Format: format, InstructionFile: instruction, PartSize: testPartSize})
	var ec map[string]string
	if kc.kms {
		ec = map[string]string{"project": "coffer"}
	}
	plain := map[string][]byte{
		"a":     testPlaintext("a", 29),
		"b":     testPlaintext("b", 29), // same length as a, for swaps
		"multi": testPlaintext("multi", 2*testPartSize+100),
	}
	for key, p := range plain {
		if _, err := c.Put(context.Background(), PutInput{Bucket: "b", Key: key, Body: bytes.NewReader(p), Size: int64(len(p)), EncryptionContext: ec}); err != nil {
			t.Fatal(err)
		}
	}
	snapshot := func(key string) (map[string]string, []byte, []byte, bool) {
		meta, body, _ := store.stored("b", key)
		_, file, hasFile := store.stored("b", key+instructionSuffix)
		return meta, body, file, hasFile
	}
	restore := func(key string, meta map[string]string, body, file []byte, hasFile bool) {
		store.set("b", key, meta, body)
		if hasFile {
			store.set("b", key+instructionSuffix, map[string]string{instructionMarker: ""}, file)
		}
	}
	// mustFail checks the current state of key fails to read, then restores it.
	mustFail := func(what, key string) {
		t.Helper()
		got, err := readBack(c, key)
		if err == nil {
			t.Fatalf("%s: read %d bytes without an error", what, len(got))
		}
		if !isSentinel(err) {
			t.Fatalf("%s: %v is none of the package's errors", what, err)
		}
	}
	for key := range plain {
		if got, err := readBack(c, key); err != nil || !bytes.Equal(got, plain[key]) {
			t.Fatalf("untouched %s: %v", key, err)
		}
	}

	aMeta, aBody, aFile, aHasFile := snapshot("a")
	bMeta, bBody, bFile, _ := snapshot("b")

	// The body and tag, every bit of the small object.
	for i := range aBody {
		for bit := range 8 {
			body := bytes.Clone(aBody)
			body[i] ^= 1 << bit
			store.set("b", "a", aMeta, body)
			mustFail(fmt.Sprintf("body byte %d bit %d", i, bit), "a")
		}
	}
	restore("a", aMeta, aBody, aFile, aHasFile)
	// The multipart object: first, last, each part boundary and the tag.
	mMeta, mBody, mFile, mHasFile := snapshot("multi")
	for _, i := range []int{0, testPartSize - 1, testPartSize, 2 * testPartSize, len(mBody) - 17, len(mBody) - 1} {
		body := bytes.Clone(mBody)
		body[i] ^= 0x10
		store.set("b", "multi", mMeta, body)
		mustFail(fmt.Sprintf("multipart body byte %d", i), "multi")
	}
	store.set("b", "multi", mMeta, mBody[:len(mBody)-1])
	mustFail("multipart body truncated", "multi")
	store.set("b", "multi", mMeta, append(bytes.Clone(mBody), 0))
	mustFail("multipart body extended", "multi")
	restore("multi", mMeta, mBody, mFile, mHasFile)

	// Every envelope value in the metadata.
	for _, k := range slices.Sorted(maps.Keys(aMeta)) {
		if !strings.HasPrefix(k, "x-amz-") {
			continue
		}
		for _, i := range flips(len(aMeta[k])) {
			meta := maps.Clone(aMeta)
			meta[k] = flipBit(meta[k], i)
			store.set("b", "a", meta, aBody)
			mustFail(fmt.Sprintf("metadata %s byte %d", k, i), "a")
		}
		meta := maps.Clone(aMeta)
		delete(meta, k)
		store.set("b", "a", meta, aBody)
		got, err := readBack(c, "a")
		if harmlessRemoval(k, aMeta[k]) {
			if err != nil || !bytes.Equal(got, plain["a"]) {
				t.Fatalf("without %s: %v", k, err)
			}
		} else if err == nil || !isSentinel(err) {
			t.Fatalf("metadata %s removed: %v", k, err)
		}
	}
	store.set("b", "a", aMeta, aBody)

	// Every byte of the instruction file, and every key removed from it.
	if aHasFile {
		for _, i := range flips(len(aFile)) {
			store.set("b", "a"+instructionSuffix, nil, []byte(flipBit(string(aFile), i)))
			mustFail(fmt.Sprintf("instruction file byte %d", i), "a")
		}
		file, err := parseInstructionFile(aFile)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range slices.Sorted(maps.Keys(file)) {
			f := maps.Clone(file)
			delete(f, k)
			store.set("b", "a"+instructionSuffix, nil, encodeInstructionFile(f))
			got, err := readBack(c, "a")
			if harmlessRemoval(k, file[k]) {
				if err != nil || !bytes.Equal(got, plain["a"]) {
					t.Fatalf("without %s: %v", k, err)
				}
			} else if err == nil || !isSentinel(err) {
				t.Fatalf("instruction file key %s removed: %v", k, err)
			}
		}
		withExtra := maps.Clone(file)
		withExtra["x-amz-meta-extra"] = "x"
		store.set("b", "a"+instructionSuffix, nil, encodeInstructionFile(withExtra))
		mustFail("instruction file with an unknown key", "a")
		store.set("b", "a"+instructionSuffix, nil, nil)
		mustFail("empty instruction file", "a")
		store.remove("b", "a"+instructionSuffix)
		mustFail("instruction file deleted", "a")
		// The other object's instruction file.
		store.set("b", "a"+instructionSuffix, nil, bFile)
		mustFail("instruction file of another object", "a")
		restore("a", aMeta, aBody, aFile, aHasFile)
	}

	// Swaps between the two objects of the same length.
	if hasAny(aMeta, keyV2Key, keyV3Key, keyV3Commit) { // V2 with an instruction file keeps none
		store.set("b", "a", bMeta, aBody)
		mustFail("metadata of another object", "a")
	}
	store.set("b", "a", aMeta, bBody)
	mustFail("body of another object", "a")
	if !aHasFile {
		for _, k := range slices.Sorted(maps.Keys(aMeta)) {
			if !strings.HasPrefix(k, "x-amz-") || aMeta[k] == bMeta[k] {
				continue
			}
			meta := maps.Clone(aMeta)
			meta[k] = bMeta[k]
			store.set("b", "a", meta, aBody)
			mustFail("metadata "+k+" of another object", "a")
		}
	}
	restore("a", aMeta, aBody, aFile, aHasFile)
	if got, err := readBack(c, "a"); err != nil || !bytes.Equal(got, plain["a"]) {
		t.Fatalf("restored object: %v", err)
	}
}

// harmlessRemoval reports the mapkeys whose absence the formats define as
// the value written: the plaintext length (then taken from Content-Length)
// and V3's material description {} ("absent means {}").
func harmlessRemoval(key, value string) bool {
	return key == keyPlainLen || (key == keyV3MatDesc && value == "{}")
}

// TestDowngrades rewrites a V2 object's envelope to claim weaker content
// or another format; each must fail.
func TestDowngrades(t *testing.T) {
	kms := newFakeKMS("one")
	store := newFakeS3()
	c := New(store, NewKMSKeyring(kms, "alias/one"), Options{AllowLegacyV1: true})
	if _, err := c.Put(context.Background(), PutInput{Bucket: "b", Key: "k", Body: strings.NewReader(strings.Repeat("x", 32)), Size: 32}); err != nil {
		t.Fatal(err)
	}
	meta, body, _ := store.stored("b", "k")
	cases := []struct {
		name   string
		mutate func(map[string]string)
	}{
		{name: "content claimed AES/CBC", mutate: func(m map[string]string) { m[keyCEKAlg] = cekCBC; delete(m, keyTagLen) }},
		{name: "wrapping claimed legacy kms", mutate: func(m map[string]string) { m[keyWrapAlg] = wrapKMS }},
		{name: "V1 key beside the V2 key", mutate: func(m map[string]string) { m[keyV1Key] = m[keyV2Key] }},
		{name: "V3 key beside the V2 key", mutate: func(m map[string]string) { m[keyV3Key] = m[keyV2Key] }},
		{name: "V3 keys beside V2", mutate: func(m map[string]string) { m[keyV3Commit] = "x" }},
		{name: "renamed to V1", mutate: func(m map[string]string) { m[keyV1Key] = m[keyV2Key]; delete(m, keyV2Key) }},
		{name: "metadata keys differing in case", mutate: func(m map[string]string) { m["X-Amz-Iv"] = m[keyIV] }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := maps.Clone(meta)
			tc.mutate(m)
			store.mu.Lock()
			store.objects["b/k"] = &fakeObject{body: bytes.Clone(body), size: int64(len(body)), meta: m}
			store.mu.Unlock()
			if _, err := readBack(c, "k"); err == nil || !isSentinel(err) {
				t.Fatalf("read: %v", err)
			}
		})
	}
}
