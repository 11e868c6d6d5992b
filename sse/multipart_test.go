package sse

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/checksum"
	"github.com/cofferlabs/coffer/dare"
)

func TestMultipartEndToEnd(t *testing.T) {
	part1 := patterned(coffer.MinPartSize, 1)
	part2 := patterned(coffer.MinPartSize, 2)
	part3 := patterned(dare.PackageSize+123, 3)
	whole := bytes.Join([][]byte{part1, part2, part3}, nil)
	p1, p2 := int64(len(part1)), int64(len(part1)+len(part2))
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "mp", coffer.UploadOptions{
			Meta: coffer.ObjectMeta{ContentType: "application/x-test", User: map[string]string{"a": ""}}, Checksum: coffer.ChecksumCRC32,
		})
		if err != nil {
			t.Fatal(err)
		}
		if up.ChecksumType != coffer.ChecksumComposite || up.Encryption.Type != coffer.SSES3 || len(up.UploadID) < 40 {
			t.Fatalf("upload = %+v", up)
		}
		// Out of order, and part 2 first with a body that is then replaced.
		uploads := []struct {
			number int
			data   []byte
		}{{3, part3}, {2, patterned(coffer.MinPartSize, 99)}, {1, part1}, {2, part2}}
		etags := map[int]string{}
		nonces := map[string]bool{}
		for _, u := range uploads {
			check := coffer.BodyCheck{Size: int64(len(u.data)), ContentMD5: md5Raw(u.data)}
			info, err := e.svc.UploadPart(e.ctx, testBucket, "mp", up.UploadID, u.number, bytes.NewReader(u.data), coffer.PartOptions{Check: check})
			if err != nil {
				t.Fatalf("UploadPart %d: %v", u.number, err)
			}
			if info.ETag != md5Hex(u.data) || info.Checksum.Value != checksumOf(coffer.ChecksumCRC32, u.data) {
				t.Fatalf("part %d info = %+v", u.number, info)
			}
			etags[u.number] = info.ETag
			parts, _ := e.store.ListParts(e.ctx, testBucket, "mp", up.UploadID)
			for _, p := range parts {
				if p.Number == u.number {
					if len(p.Nonce) != partNonceSize || nonces[string(p.Nonce)] {
						t.Fatalf("part %d nonce %x is missing or reused", p.Number, p.Nonce)
					}
					nonces[string(p.Nonce)] = true
				}
			}
		}
		page, err := e.svc.ListParts(e.ctx, testBucket, "mp", up.UploadID, coffer.PartQuery{})
		if err != nil || len(page.Parts) != 3 || page.Parts[1].ETag != md5Hex(part2) || page.Upload.UploadID != up.UploadID {
			t.Fatalf("ListParts = %+v, %v", page, err)
		}
		list := []coffer.CompletePart{{Number: 1, ETag: etags[1]}, {Number: 2, ETag: `"` + etags[2] + `"`}, {Number: 3, ETag: etags[3], Checksum: checksumOf(coffer.ChecksumCRC32, part3)}}
		info, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "mp", up.UploadID, coffer.CompleteOptions{Parts: list})
		if err != nil {
			t.Fatal(err)
		}
		wantETag := checksum.MultipartETag([]string{md5Hex(part1), md5Hex(part2), md5Hex(part3)})
		wantSum, _ := checksum.Composite(coffer.ChecksumCRC32, []string{checksumOf(coffer.ChecksumCRC32, part1), checksumOf(coffer.ChecksumCRC32, part2), checksumOf(coffer.ChecksumCRC32, part3)})
		if info.ETag != wantETag || !bytes.HasSuffix([]byte(info.ETag), []byte("-3")) || info.Size != int64(len(whole)) || info.PartsCount != 3 {
			t.Fatalf("completed info = %+v, want ETag %s", info, wantETag)
		}
		if info.Checksum != (coffer.Checksum{Algorithm: coffer.ChecksumCRC32, Type: coffer.ChecksumComposite, Value: wantSum}) {
			t.Fatalf("checksum = %+v, want %s", info.Checksum, wantSum)
		}
		if _, err := e.svc.ListParts(e.ctx, testBucket, "mp", up.UploadID, coffer.PartQuery{}); !errors.Is(err, coffer.ErrNoSuchUpload) {
			t.Fatalf("the upload outlived its completion: %v", err)
		}
		mustEqualBytes(t, e.mustRead("mp"), whole)
		head, _ := e.svc.HeadObject(e.ctx, testBucket, "mp", coffer.GetOptions{})
		assertMeta(t, head.Meta, coffer.ObjectMeta{ContentType: "application/x-test", User: map[string]string{"a": ""}})

		ranges := []struct {
			name string
			rng  coffer.Range
		}{
			{"last byte of part 1 and first of part 2", coffer.Range{Start: p1 - 1, End: p1}},
			{"all three parts", coffer.Range{Start: p1 - 5, End: p2 + 5}},
			{"exactly part 2", coffer.Range{Start: p1, End: p2 - 1}},
			{"inside part 3 across a package boundary", coffer.Range{Start: p2 + dare.PackageSize - 2, End: p2 + dare.PackageSize + 2}},
			{"suffix inside part 3", coffer.Range{IsSuffix: true, Suffix: 50}},
			{"suffix reaching into part 2", coffer.Range{IsSuffix: true, Suffix: int64(len(part3)) + 10}},
			{"first byte", coffer.Range{Start: 0, End: 0}},
			{"last byte", coffer.Range{Start: int64(len(whole)) - 1, End: -1}},
		}
		for _, tc := range ranges {
			t.Run(tc.name, func(t *testing.T) {
				rng := tc.rng
				got, r, err := e.read("mp", coffer.GetOptions{Range: &rng})
				if err != nil {
					t.Fatal(err)
				}
				mustEqualBytes(t, got, whole[r.Offset:r.Offset+r.Length])
				off, n, _ := tc.rng.Resolve(int64(len(whole)))
				if r.Offset != off || r.Length != n {
					t.Fatalf("reader covers %d+%d, want %d+%d", r.Offset, r.Length, off, n)
				}
			})
		}
		for i, part := range [][]byte{part1, part2, part3} {
			got, r, err := e.read("mp", coffer.GetOptions{PartNumber: i + 1, WantChecksum: true})
			if err != nil {
				t.Fatalf("part %d: %v", i+1, err)
			}
			mustEqualBytes(t, got, part)
			if r.Offset != []int64{0, p1, p2}[i] {
				t.Fatalf("part %d starts at %d", i+1, r.Offset)
			}
		}
		if _, _, err := e.read("mp", coffer.GetOptions{PartNumber: 4}); !errors.Is(err, coffer.ErrInvalidPartNumber) {
			t.Fatalf("part 4 of 3: %v", err)
		}
	})
}

func TestMultipartFullObjectChecksum(t *testing.T) {
	parts := [][]byte{patterned(coffer.MinPartSize, 4), patterned(coffer.MinPartSize+1, 5), patterned(1000, 6)}
	whole := bytes.Join(parts, nil)
	for _, alg := range []coffer.ChecksumAlgorithm{coffer.ChecksumCRC64NVME, coffer.ChecksumCRC32C} {
		t.Run(string(alg), func(t *testing.T) {
			e := newEnv(t, backends[0])
			info := e.multipartUpload("full", coffer.UploadOptions{Checksum: alg, ChecksumType: coffer.ChecksumFullObject}, parts...)
			want := coffer.Checksum{Algorithm: alg, Type: coffer.ChecksumFullObject, Value: checksumOf(alg, whole)}
			if info.Checksum != want {
				t.Fatalf("checksum = %+v, want %+v", info.Checksum, want)
			}
		})
	}
}

func TestCreateMultipartUploadChecksumRules(t *testing.T) {
	tests := []struct {
		alg      coffer.ChecksumAlgorithm
		typ      coffer.ChecksumType
		wantType coffer.ChecksumType
		wantArg  string
	}{
		{"", "", "", ""},
		{coffer.ChecksumCRC32, "", coffer.ChecksumComposite, ""},
		{coffer.ChecksumCRC32, coffer.ChecksumFullObject, coffer.ChecksumFullObject, ""},
		{coffer.ChecksumCRC64NVME, "", coffer.ChecksumFullObject, ""},
		{coffer.ChecksumCRC64NVME, coffer.ChecksumComposite, "", "x-amz-checksum-type"},
		{coffer.ChecksumSHA256, coffer.ChecksumFullObject, "", "x-amz-checksum-type"},
		{coffer.ChecksumSHA1, "", coffer.ChecksumComposite, ""},
		{"", coffer.ChecksumComposite, "", "x-amz-checksum-type"},
		{coffer.ChecksumCRC32, "PARTIAL", "", "x-amz-checksum-type"},
		{"MD5", "", "", "x-amz-checksum-algorithm"},
	}
	e := newEnv(t, backends[0])
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s", tc.alg, tc.typ), func(t *testing.T) {
			up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{Checksum: tc.alg, ChecksumType: tc.typ})
			if tc.wantArg != "" {
				assertErr(t, err, nil, tc.wantArg)
				return
			}
			if err != nil || up.ChecksumType != tc.wantType {
				t.Fatalf("upload = %+v, %v; want type %q", up, err, tc.wantType)
			}
		})
	}
}

func TestCreateMultipartUploadRejectsBadRequests(t *testing.T) {
	tests := []struct {
		name    string
		bucket  string
		key     string
		opts    coffer.UploadOptions
		wantErr error
	}{
		{"empty key", testBucket, "", coffer.UploadOptions{}, coffer.ErrInvalidObjectName},
		{"missing bucket", "no-such-bucket", "k", coffer.UploadOptions{}, coffer.ErrNoSuchBucket},
		{"SSE-KMS", testBucket, "k", coffer.UploadOptions{Encryption: coffer.EncryptionRequest{Type: coffer.SSEKMS}}, coffer.ErrNotImplemented},
		{"metadata too large", testBucket, "k", coffer.UploadOptions{Meta: coffer.ObjectMeta{User: map[string]string{"x": string(make([]byte, 2048))}}}, coffer.ErrMetadataTooLarge},
	}
	e := newEnv(t, backends[0])
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateMultipartUpload(e.ctx, tc.bucket, tc.key, tc.opts)
			assertErr(t, err, tc.wantErr, "")
		})
	}
}

func TestUploadPartErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{Checksum: coffer.ChecksumCRC32})
		if err != nil {
			t.Fatal(err)
		}
		good, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, 1, bytes.NewReader([]byte("good")), coffer.PartOptions{Check: coffer.BodyCheck{Size: 4}})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			key      string
			uploadID string
			part     int
			opts     coffer.PartOptions
			wantErr  error
			wantArg  string
		}{
			{"part 0", "k", up.UploadID, 0, coffer.PartOptions{}, coffer.ErrTooManyParts, ""},
			{"part 10001", "k", up.UploadID, 10001, coffer.PartOptions{}, coffer.ErrTooManyParts, ""},
			{"unknown upload", "k", "nope", 1, coffer.PartOptions{}, coffer.ErrNoSuchUpload, ""},
			{"upload of another key", "other", up.UploadID, 1, coffer.PartOptions{}, coffer.ErrNoSuchUpload, ""},
			{"too large", "k", up.UploadID, 1, coffer.PartOptions{Check: coffer.BodyCheck{Size: coffer.MaxPartSize + 1}}, coffer.ErrEntityTooLarge, ""},
			{"bad Content-MD5", "k", up.UploadID, 1, coffer.PartOptions{Check: coffer.BodyCheck{Size: 3, ContentMD5: md5Raw([]byte("xyz"))}}, coffer.ErrBadDigest, ""},
			{"other checksum algorithm", "k", up.UploadID, 1, coffer.PartOptions{Check: coffer.BodyCheck{Size: 3, Checksum: coffer.ChecksumCRC32C}}, nil, "x-amz-checksum-crc32c"},
			{"bad checksum value", "k", up.UploadID, 1, coffer.PartOptions{Check: coffer.BodyCheck{Size: 3, Checksum: coffer.ChecksumCRC32, ChecksumValue: checksumOf(coffer.ChecksumCRC32, []byte("xyz"))}}, coffer.ErrChecksumMismatch, ""},
			{"customer key", "k", up.UploadID, 1, coffer.PartOptions{Check: coffer.BodyCheck{Size: 3}, CustomerKey: &coffer.CustomerKey{}}, coffer.ErrUploadKeyPresence, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if tc.opts.Check.Size == 0 {
					tc.opts.Check.Size = 3
				}
				_, err := e.svc.UploadPart(e.ctx, testBucket, tc.key, tc.uploadID, tc.part, bytes.NewReader([]byte("bad")), tc.opts)
				assertErr(t, err, tc.wantErr, tc.wantArg)
				page, err := e.svc.ListParts(e.ctx, testBucket, "k", up.UploadID, coffer.PartQuery{})
				if err != nil || len(page.Parts) != 1 || page.Parts[0].ETag != good.ETag {
					t.Fatalf("part 1 after a failed upload: %+v, %v", page.Parts, err)
				}
			})
		}
	})
}

func TestCompleteMultipartUploadErrors(t *testing.T) {
	big := patterned(coffer.MinPartSize, 7)
	small := []byte("small")
	tests := []struct {
		name    string
		parts   func(etags []string) []coffer.CompletePart
		opts    coffer.CompleteOptions
		wantErr error
		wantArg string
	}{
		{"no parts", func([]string) []coffer.CompletePart { return nil }, coffer.CompleteOptions{}, nil, "CompleteMultipartUpload"},
		{"descending", func(e []string) []coffer.CompletePart {
			return []coffer.CompletePart{{Number: 2, ETag: e[1]}, {Number: 1, ETag: e[0]}}
		}, coffer.CompleteOptions{}, coffer.ErrInvalidPartOrder, ""},
		{"duplicate", func(e []string) []coffer.CompletePart {
			return []coffer.CompletePart{{Number: 1, ETag: e[0]}, {Number: 1, ETag: e[0]}}
		}, coffer.CompleteOptions{}, coffer.ErrInvalidPartOrder, ""},
		{"missing part", func(e []string) []coffer.CompletePart {
			return []coffer.CompletePart{{Number: 1, ETag: e[0]}, {Number: 4, ETag: e[1]}}
		}, coffer.CompleteOptions{}, coffer.ErrInvalidPart, ""},
		{"wrong ETag", func(e []string) []coffer.CompletePart {
			return []coffer.CompletePart{{Number: 1, ETag: e[1]}, {Number: 2, ETag: e[1]}}
		}, coffer.CompleteOptions{}, coffer.ErrInvalidPart, ""},
		{"wrong part checksum", func(e []string) []coffer.CompletePart {
			return []coffer.CompletePart{{Number: 1, ETag: e[0], Checksum: checksumOf(coffer.ChecksumCRC32, small)}, {Number: 2, ETag: e[1]}}
		}, coffer.CompleteOptions{}, coffer.ErrInvalidPart, ""},
		{"small part before the last", func(e []string) []coffer.CompletePart {
			return []coffer.CompletePart{{Number: 1, ETag: e[0]}, {Number: 2, ETag: e[1]}, {Number: 3, ETag: e[2]}}
		}, coffer.CompleteOptions{}, coffer.ErrEntityTooSmall, ""},
		{"declared checksum differs", func(e []string) []coffer.CompletePart {
			return []coffer.CompletePart{{Number: 1, ETag: e[0]}, {Number: 2, ETag: e[1]}}
		}, coffer.CompleteOptions{Checksum: coffer.Checksum{Algorithm: coffer.ChecksumCRC32, Value: "AAAAAA==-2"}}, coffer.ErrChecksumMismatch, ""},
		{"declared algorithm differs", func(e []string) []coffer.CompletePart {
			return []coffer.CompletePart{{Number: 1, ETag: e[0]}, {Number: 2, ETag: e[1]}}
		}, coffer.CompleteOptions{Checksum: coffer.Checksum{Algorithm: coffer.ChecksumSHA256, Value: "AAAA"}}, nil, "x-amz-checksum-sha256"},
		{"declared type differs", func(e []string) []coffer.CompletePart {
			return []coffer.CompletePart{{Number: 1, ETag: e[0]}, {Number: 2, ETag: e[1]}}
		}, coffer.CompleteOptions{Checksum: coffer.Checksum{Type: coffer.ChecksumFullObject}}, nil, "x-amz-checksum-type"},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{Checksum: coffer.ChecksumCRC32})
		if err != nil {
			t.Fatal(err)
		}
		var etags []string
		for i, data := range [][]byte{big, small, small} {
			info, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, i+1, bytes.NewReader(data), coffer.PartOptions{Check: coffer.BodyCheck{Size: int64(len(data))}})
			if err != nil {
				t.Fatal(err)
			}
			etags = append(etags, info.ETag)
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				opts := tc.opts
				opts.Parts = tc.parts(etags)
				_, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, opts)
				assertErr(t, err, tc.wantErr, tc.wantArg)
				if _, err := e.store.GetObject(e.ctx, testBucket, "k"); !errors.Is(err, coffer.ErrNoSuchKey) {
					t.Fatalf("a failed completion made an object: %v", err)
				}
			})
		}
		if _, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", "nope", coffer.CompleteOptions{Parts: []coffer.CompletePart{{Number: 1, ETag: etags[0]}}}); !errors.Is(err, coffer.ErrNoSuchUpload) {
			t.Fatalf("unknown upload: %v", err)
		}
		sum, _ := checksum.Composite(coffer.ChecksumCRC32, []string{checksumOf(coffer.ChecksumCRC32, big), checksumOf(coffer.ChecksumCRC32, small)})
		info, err := e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, coffer.CompleteOptions{
			Parts:    []coffer.CompletePart{{Number: 1, ETag: etags[0]}, {Number: 3, ETag: etags[2]}},
			Checksum: coffer.Checksum{Algorithm: coffer.ChecksumCRC32, Value: withoutPartCount(sum)},
		})
		if err != nil || info.Size != int64(len(big)+len(small)) {
			t.Fatalf("completing with parts 1 and 3: %+v, %v", info, err)
		}
		mustEqualBytes(t, e.mustRead("k"), append(bytes.Clone(big), small...))
	})
}

func TestAbortMultipartUpload(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b)
		up, _ := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{})
		if _, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, 1, bytes.NewReader([]byte("p")), coffer.PartOptions{Check: coffer.BodyCheck{Size: 1}}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AbortMultipartUpload(e.ctx, testBucket, "k", up.UploadID); err != nil {
			t.Fatal(err)
		}
		steps := map[string]error{
			"abort again": e.svc.AbortMultipartUpload(e.ctx, testBucket, "k", up.UploadID),
		}
		_, steps["upload part"] = e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, 2, bytes.NewReader([]byte("p")), coffer.PartOptions{Check: coffer.BodyCheck{Size: 1}})
		_, steps["list parts"] = e.svc.ListParts(e.ctx, testBucket, "k", up.UploadID, coffer.PartQuery{})
		_, steps["complete"] = e.svc.CompleteMultipartUpload(e.ctx, testBucket, "k", up.UploadID, coffer.CompleteOptions{Parts: []coffer.CompletePart{{Number: 1}}})
		for name, err := range steps {
			if !errors.Is(err, coffer.ErrNoSuchUpload) {
				t.Errorf("%s after abort: %v, want ErrNoSuchUpload", name, err)
			}
		}
	})
}

func TestListPartsPaging(t *testing.T) {
	e := newEnv(t, backends[0])
	up, _ := e.svc.CreateMultipartUpload(e.ctx, testBucket, "k", coffer.UploadOptions{})
	for _, n := range []int{1, 2, 5, 7, 9} {
		if _, err := e.svc.UploadPart(e.ctx, testBucket, "k", up.UploadID, n, bytes.NewReader([]byte{byte(n)}), coffer.PartOptions{Check: coffer.BodyCheck{Size: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name          string
		q             coffer.PartQuery
		wantNumbers   []int
		wantTruncated bool
		wantNext      int
	}{
		{"all", coffer.PartQuery{}, []int{1, 2, 5, 7, 9}, false, 9},
		{"first page", coffer.PartQuery{Limit: 2}, []int{1, 2}, true, 2},
		{"second page", coffer.PartQuery{After: 2, Limit: 2}, []int{5, 7}, true, 7},
		{"last page", coffer.PartQuery{After: 7, Limit: 2}, []int{9}, false, 9},
		{"marker between parts", coffer.PartQuery{After: 3}, []int{5, 7, 9}, false, 9},
		{"past the end", coffer.PartQuery{After: 9}, nil, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := e.svc.ListParts(e.ctx, testBucket, "k", up.UploadID, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var numbers []int
			for _, p := range page.Parts {
				numbers = append(numbers, p.Number)
			}
			if fmt.Sprint(numbers) != fmt.Sprint(tc.wantNumbers) || page.Truncated != tc.wantTruncated || page.NextAfter != tc.wantNext {
				t.Fatalf("page = %v truncated %v next %d; want %v %v %d", numbers, page.Truncated, page.NextAfter, tc.wantNumbers, tc.wantTruncated, tc.wantNext)
			}
		})
	}
}
