package sse

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

// customerKey returns a distinct SSE-C key with its base64 MD5, as a front
// end hands it over.
func customerKey(seed byte) *coffer.CustomerKey {
	ck := &coffer.CustomerKey{}
	copy(ck.Key[:], patterned(32, seed))
	sum := md5.Sum(ck.Key[:])
	ck.MD5 = base64.StdEncoding.EncodeToString(sum[:])
	return ck
}

func sseC(ck *coffer.CustomerKey) coffer.EncryptionRequest {
	return coffer.EncryptionRequest{Type: coffer.SSEC, CustomerKey: ck}
}

func (e *env) putSSEC(key string, data []byte, ck *coffer.CustomerKey) coffer.ObjectInfo {
	e.t.Helper()
	info, err := e.svc.PutObject(e.ctx, testBucket, key, bytes.NewReader(data), coffer.PutOptions{
		Encryption: sseC(ck), Check: coffer.BodyCheck{Size: int64(len(data))},
	})
	if err != nil {
		e.t.Fatalf("SSE-C PutObject %s: %v", key, err)
	}
	return info
}

func TestSSECReads(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		right, wrong := customerKey(1), customerKey(2)
		body := patterned(200<<10, 3) // past the inline limit, three dare packages and more
		info := e.putSSEC("big", body, right)
		e.putSSEC("empty", nil, right)
		if info.Encryption.Type != coffer.SSEC || info.Encryption.CustomerKeyMD5 != right.MD5 {
			t.Fatalf("PUT reports %+v", info.Encryption)
		}
		if info.ETag == md5Hex(body) {
			t.Fatal("an SSE-C ETag is the plaintext MD5")
		}
		if again := e.putSSEC("again", body, right); again.ETag == info.ETag {
			t.Fatal("two PUTs of the same body and key share an ETag")
		}
		if rec := e.record("big"); rec.Encryption.CustomerKeyMD5 != "" || rec.Encryption.Type != coffer.SSEC {
			t.Fatalf("stored encryption %+v", rec.Encryption)
		}

		tests := []struct {
			name string
			key  string
			opts coffer.GetOptions
			want error
			data []byte
		}{
			{"right key", "big", coffer.GetOptions{CustomerKey: right}, nil, body},
			{"range", "big", coffer.GetOptions{CustomerKey: right, Range: &coffer.Range{Start: 70000, End: 140000}}, nil, body[70000:140001]},
			{"zero bytes", "empty", coffer.GetOptions{CustomerKey: right}, nil, []byte{}},
			{"no key", "big", coffer.GetOptions{}, coffer.ErrCustomerKeyRequired, nil},
			{"wrong key", "big", coffer.GetOptions{CustomerKey: wrong}, coffer.ErrCustomerKeyMismatch, nil},
			{"zero bytes, no key", "empty", coffer.GetOptions{}, coffer.ErrCustomerKeyRequired, nil},
			{"zero bytes, wrong key", "empty", coffer.GetOptions{CustomerKey: wrong}, coffer.ErrCustomerKeyMismatch, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				head, herr := e.svc.HeadObject(e.ctx, testBucket, tc.key, tc.opts)
				if !errors.Is(herr, tc.want) {
					t.Fatalf("HEAD: %v, want %v", herr, tc.want)
				}
				got, _, err := e.read(tc.key, tc.opts)
				if !errors.Is(err, tc.want) {
					t.Fatalf("GET: %v, want %v", err, tc.want)
				}
				if tc.want != nil {
					return
				}
				if head.Encryption.CustomerKeyMD5 != right.MD5 {
					t.Fatalf("HEAD reports key MD5 %q", head.Encryption.CustomerKeyMD5)
				}
				if !bytes.Equal(got, tc.data) {
					t.Fatalf("read %d bytes, want %d", len(got), len(tc.data))
				}
			})
		}
	})
}

func TestSSECMultipart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		right, wrong := customerKey(1), customerKey(2)
		up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "mp", coffer.UploadOptions{Encryption: sseC(right)})
		if err != nil {
			t.Fatal(err)
		}
		if up.Encryption.CustomerKeyMD5 != right.MD5 {
			t.Fatalf("CreateMultipartUpload reports %+v", up.Encryption)
		}
		part1, part2 := patterned(coffer.MinPartSize, 4), []byte("tail")
		partTests := []struct {
			name string
			ck   *coffer.CustomerKey
			want error
		}{
			{"no key", nil, coffer.ErrUploadKeyPresence},
			{"another key", wrong, coffer.ErrUploadKeyMismatch},
		}
		for _, tc := range partTests {
			_, err := e.svc.UploadPart(e.ctx, testBucket, "mp", up.UploadID, 1, bytes.NewReader(part2), coffer.PartOptions{CustomerKey: tc.ck, Check: coffer.BodyCheck{Size: 4}})
			if !errors.Is(err, tc.want) {
				t.Fatalf("part with %s: %v, want %v", tc.name, err, tc.want)
			}
		}
		var list []coffer.CompletePart
		for i, data := range [][]byte{part1, part2} {
			info, err := e.svc.UploadPart(e.ctx, testBucket, "mp", up.UploadID, i+1, bytes.NewReader(data), coffer.PartOptions{CustomerKey: right, Check: coffer.BodyCheck{Size: int64(len(data))}})
			if err != nil {
				t.Fatalf("part %d: %v", i+1, err)
			}
			if info.Encryption.CustomerKeyMD5 != right.MD5 || info.ETag == md5Hex(data) {
				t.Fatalf("part %d reports %+v, ETag %s", i+1, info.Encryption, info.ETag)
			}
			list = append(list, coffer.CompletePart{Number: i + 1, ETag: info.ETag})
		}
		if page, err := e.svc.ListParts(e.ctx, testBucket, "mp", up.UploadID, coffer.PartQuery{}); err != nil || len(page.Parts) != 2 {
			t.Fatalf("ListParts without the key: %+v, %v", page.Parts, err)
		}
		if _, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "mp", up.UploadID, coffer.CompleteOptions{Parts: list, CustomerKey: wrong}); !errors.Is(err, coffer.ErrUploadKeyMismatch) {
			t.Fatalf("complete with another key: %v", err)
		}
		done, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "mp", up.UploadID, coffer.CompleteOptions{Parts: list})
		if err != nil {
			t.Fatalf("complete without the key: %v", err)
		}
		if !strings.HasSuffix(done.ETag, "-2") {
			t.Fatalf("multipart ETag %s", done.ETag)
		}
		got, _, err := e.read("mp", coffer.GetOptions{CustomerKey: right, PartNumber: 2})
		if err != nil || string(got) != "tail" {
			t.Fatalf("part 2 of the object: %q, %v", got, err)
		}
		if _, _, err := e.read("mp", coffer.GetOptions{CustomerKey: wrong}); !errors.Is(err, coffer.ErrCustomerKeyMismatch) {
			t.Fatalf("GET with another key: %v", err)
		}
	})
}

// CopyObject in all four directions, and UploadPartCopy out of an SSE-C
// source: the source needs its key, the destination gets what the request
// says.
func TestSSECCopies(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		k1, k2 := customerKey(1), customerKey(2)
		body := []byte("customer-keyed bytes")
		e.putSSEC("c", body, k1)
		e.put("s3", body)
		tests := []struct {
			name     string
			src      string
			srcKey   *coffer.CustomerKey
			enc      coffer.EncryptionRequest
			want     error
			readWith *coffer.CustomerKey
			wantType coffer.SSEType
		}{
			{"SSE-C to SSE-C, new key", "c", k1, sseC(k2), nil, k2, coffer.SSEC},
			{"SSE-C to SSE-S3", "c", k1, coffer.EncryptionRequest{}, nil, nil, coffer.SSES3},
			{"SSE-S3 to SSE-C", "s3", nil, sseC(k2), nil, k2, coffer.SSEC},
			{"SSE-C without the source key", "c", nil, coffer.EncryptionRequest{}, coffer.ErrCustomerKeyRequired, nil, ""},
			{"SSE-C with another source key", "c", k2, coffer.EncryptionRequest{}, coffer.ErrCustomerKeyMismatch, nil, ""},
			{"source key on an SSE-S3 source", "s3", k1, coffer.EncryptionRequest{}, coffer.ErrCustomerKeyNotApplicable, nil, ""},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				dst := "dst" + string(rune('a'+i))
				info, err := e.svc.CopyObject(e.ctx, testBucket, dst, coffer.CopyOptions{
					Source: coffer.CopySource{Bucket: testBucket, Key: tc.src, CustomerKey: tc.srcKey}, Encryption: tc.enc,
				})
				if !errors.Is(err, tc.want) {
					t.Fatalf("copy: %v, want %v", err, tc.want)
				}
				if tc.want != nil {
					return
				}
				if info.Encryption.Type != tc.wantType {
					t.Fatalf("copy is %s, want %s", info.Encryption.Type, tc.wantType)
				}
				if tc.wantType == coffer.SSES3 && info.ETag != md5Hex(body) {
					t.Fatalf("SSE-S3 copy ETag %s is not the MD5", info.ETag)
				}
				got, _, err := e.read(dst, coffer.GetOptions{CustomerKey: tc.readWith})
				if err != nil || !bytes.Equal(got, body) {
					t.Fatalf("reading the copy: %q, %v", got, err)
				}
			})
		}

		t.Run("UploadPartCopy from SSE-C into SSE-C", func(t *testing.T) {
			up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "assembled", coffer.UploadOptions{Encryption: sseC(k2)})
			if err != nil {
				t.Fatal(err)
			}
			src := coffer.CopySource{Bucket: testBucket, Key: "c", Range: &coffer.Range{Start: 0, End: 7}}
			if _, err := e.svc.UploadPartCopy(e.ctx, testBucket, "assembled", up.UploadID, 1, src, coffer.PartOptions{CustomerKey: k2}); !errors.Is(err, coffer.ErrCustomerKeyRequired) {
				t.Fatalf("part copy without the source key: %v", err)
			}
			src.CustomerKey = k1
			part, err := e.svc.UploadPartCopy(e.ctx, testBucket, "assembled", up.UploadID, 1, src, coffer.PartOptions{CustomerKey: k2})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "assembled", up.UploadID, coffer.CompleteOptions{Parts: []coffer.CompletePart{{Number: 1, ETag: part.ETag}}, CustomerKey: k2}); err != nil {
				t.Fatal(err)
			}
			got, _, err := e.read("assembled", coffer.GetOptions{CustomerKey: k2})
			if err != nil || string(got) != "customer" {
				t.Fatalf("assembled object: %q, %v", got, err)
			}
		})
	})
}

// Copying an SSE-C object onto itself with a new key is how SSE-C users
// rotate keys: only the seal changes, never the data.
func TestSSECSelfCopyRotatesKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		old, fresh := customerKey(1), customerKey(2)
		for _, key := range []string{"single", "multi"} {
			body := patterned(coffer.MinPartSize+10, 5)
			var before coffer.ObjectInfo
			if key == "single" {
				before = e.putSSEC(key, body, old)
			} else {
				before = e.ssecMultipart(key, old, body[:coffer.MinPartSize], body[coffer.MinPartSize:])
			}
			recBefore := e.record(key)
			info, err := e.svc.CopyObject(e.ctx, testBucket, key, coffer.CopyOptions{
				Source:     coffer.CopySource{Bucket: testBucket, Key: key, CustomerKey: old},
				Directive:  coffer.MetadataReplace,
				Meta:       coffer.ObjectMeta{ContentType: "text/rotated"},
				Encryption: sseC(fresh),
			})
			if err != nil {
				t.Fatalf("%s: rotation: %v", key, err)
			}
			recAfter := e.record(key)
			if recAfter.DataID != recBefore.DataID || info.ETag != before.ETag || len(recAfter.Parts) != len(recBefore.Parts) {
				t.Fatalf("%s: rotation rewrote the data: data %s -> %s, ETag %s -> %s", key, recBefore.DataID, recAfter.DataID, before.ETag, info.ETag)
			}
			if info.Encryption.CustomerKeyMD5 != fresh.MD5 || info.Meta.ContentType != "text/rotated" {
				t.Fatalf("%s: rotation reports %+v, %q", key, info.Encryption, info.Meta.ContentType)
			}
			if _, _, err := e.read(key, coffer.GetOptions{CustomerKey: old}); !errors.Is(err, coffer.ErrCustomerKeyMismatch) {
				t.Fatalf("%s: the old key still reads: %v", key, err)
			}
			got, _, err := e.read(key, coffer.GetOptions{CustomerKey: fresh})
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("%s: reading with the new key: %d bytes, %v", key, len(got), err)
			}
		}
		_, err := e.svc.CopyObject(e.ctx, testBucket, "single", coffer.CopyOptions{
			Source: coffer.CopySource{Bucket: testBucket, Key: "single", CustomerKey: old}, Encryption: sseC(fresh),
		})
		if !errors.Is(err, coffer.ErrCustomerKeyMismatch) {
			t.Fatalf("rotation from a stale key: %v", err)
		}
	})
}

func (e *env) ssecMultipart(key string, ck *coffer.CustomerKey, parts ...[]byte) coffer.ObjectInfo {
	e.t.Helper()
	up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, key, coffer.UploadOptions{Encryption: sseC(ck)})
	if err != nil {
		e.t.Fatal(err)
	}
	var list []coffer.CompletePart
	for i, data := range parts {
		info, err := e.svc.UploadPart(e.ctx, testBucket, key, up.UploadID, i+1, bytes.NewReader(data), coffer.PartOptions{CustomerKey: ck, Check: coffer.BodyCheck{Size: int64(len(data))}})
		if err != nil {
			e.t.Fatal(err)
		}
		list = append(list, coffer.CompletePart{Number: i + 1, ETag: info.ETag})
	}
	info, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, key, up.UploadID, coffer.CompleteOptions{Parts: list, CustomerKey: ck})
	if err != nil {
		e.t.Fatal(err)
	}
	return info
}

// Master key rotation and re-wrapping leave SSE-C objects and uploads as
// they are: the server cannot open them, and their keys are not its own.
func TestSSECSurvivesMasterKeyRewrap(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		ck := customerKey(7)
		e.putSSEC("c", []byte("kept"), ck)
		up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "pending", coffer.UploadOptions{Encryption: sseC(ck)})
		if err != nil {
			t.Fatal(err)
		}
		sealed := e.record("c").SealedKey
		if _, err := e.ring.Rotate(e.ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Rewrap(e.ctx, nil); err != nil {
			t.Fatalf("Rewrap with SSE-C objects present: %v", err)
		}
		if !bytes.Equal(e.record("c").SealedKey, sealed) {
			t.Fatal("Rewrap touched an SSE-C key")
		}
		if got, _, err := e.read("c", coffer.GetOptions{CustomerKey: ck}); err != nil || string(got) != "kept" {
			t.Fatalf("after rewrap: %q, %v", got, err)
		}
		if _, err := e.svc.UploadPart(e.ctx, testBucket, "pending", up.UploadID, 1, strings.NewReader("p"), coffer.PartOptions{CustomerKey: ck, Check: coffer.BodyCheck{Size: 1}}); err != nil {
			t.Fatalf("part after rewrap: %v", err)
		}
	})
}

// A server that blocks SSE-C by default gives new buckets, and buckets
// whose rule is deleted, a rule that blocks it; a bucket can unblock.
func TestBlockSSECByDefault(t *testing.T) {
	store, keys := backends[0].open(t)
	e := newEnvOn(t, store, keys)
	e.svc = New(store, e.ring, Options{Region: "eu-test-1", AccountID: "123456789012", BlockSSECByDefault: true})
	if err := e.svc.CreateBucket(e.ctx, "fresh"); err != nil {
		t.Fatal(err)
	}
	put := func() error {
		_, err := e.svc.PutObject(e.ctx, "fresh", "k", strings.NewReader("x"), coffer.PutOptions{Encryption: sseC(customerKey(1)), Check: coffer.BodyCheck{Size: 1}})
		return err
	}
	rule, err := e.svc.GetBucketEncryption(e.ctx, "fresh")
	if err != nil || rule.Algorithm != coffer.SSES3 || len(rule.BlockedEncryptionTypes) != 1 || rule.BlockedEncryptionTypes[0] != "SSE-C" {
		t.Fatalf("new bucket's rule: %+v, %v", rule, err)
	}
	if err := put(); !errors.Is(err, coffer.ErrEncryptionTypeBlocked) {
		t.Fatalf("SSE-C into a new bucket: %v", err)
	}
	if err := e.svc.PutBucketEncryption(e.ctx, "fresh", coffer.BucketEncryption{Algorithm: coffer.SSES3, BlockedEncryptionTypes: []string{"NONE"}}); err != nil {
		t.Fatal(err)
	}
	if err := put(); err != nil {
		t.Fatalf("SSE-C after unblocking: %v", err)
	}
	if err := e.svc.DeleteBucketEncryption(e.ctx, "fresh"); err != nil {
		t.Fatal(err)
	}
	if err := put(); !errors.Is(err, coffer.ErrEncryptionTypeBlocked) {
		t.Fatalf("SSE-C after resetting the rule: %v", err)
	}
	// The bucket made before the server blocked by default keeps its rule.
	if _, err := e.svc.PutObject(e.ctx, testBucket, "k", strings.NewReader("x"), coffer.PutOptions{Encryption: sseC(customerKey(1)), Check: coffer.BodyCheck{Size: 1}}); err != nil {
		t.Fatalf("SSE-C into an older bucket: %v", err)
	}
}
