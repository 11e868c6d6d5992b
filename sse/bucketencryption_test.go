package sse

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
)

func TestBucketEncryptionAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newKMSEnv(t, b, Options{})
		got, err := e.svc.GetBucketEncryption(e.ctx, testBucket)
		if err != nil || !reflect.DeepEqual(got, coffer.BucketEncryption{Algorithm: coffer.SSES3}) {
			t.Fatalf("new bucket: %+v %v", got, err)
		}
		rule := coffer.BucketEncryption{Algorithm: coffer.SSEKMS, KMSMasterKeyID: "alias/not-checked-yet", BucketKeyEnabled: true, BlockedEncryptionTypes: []string{"SSE-C"}}
		if err := e.svc.PutBucketEncryption(e.ctx, testBucket, rule); err != nil {
			t.Fatal(err)
		}
		if got, err = e.svc.GetBucketEncryption(e.ctx, testBucket); err != nil || !reflect.DeepEqual(got, rule) {
			t.Fatalf("got %+v %v, want %+v", got, err, rule)
		}
		for i := 0; i < 2; i++ {
			if err := e.svc.DeleteBucketEncryption(e.ctx, testBucket); err != nil {
				t.Fatalf("delete %d: %v", i, err)
			}
		}
		if got, err = e.svc.GetBucketEncryption(e.ctx, testBucket); err != nil || !reflect.DeepEqual(got, coffer.BucketEncryption{Algorithm: coffer.SSES3}) {
			t.Fatalf("after delete: %+v %v", got, err)
		}
	})
}

func TestBucketEncryptionValidation(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	cases := []struct {
		name   string
		bucket string
		rule   coffer.BucketEncryption
		want   error  // a sentinel, or nil for an argument error
		code   string // the argument error's code
	}{
		{"missing bucket", "nope", coffer.BucketEncryption{Algorithm: "bogus"}, coffer.ErrNoSuchBucket, ""},
		{"AES256 with a key", testBucket, coffer.BucketEncryption{Algorithm: coffer.SSES3, KMSMasterKeyID: "k"}, nil, ""},
		{"unknown algorithm", testBucket, coffer.BucketEncryption{Algorithm: "aes:kms"}, nil, "MalformedXML"},
		{"dsse", testBucket, coffer.BucketEncryption{Algorithm: "aws:kms:dsse"}, coffer.ErrNotImplemented, ""},
		{"unknown blocked type", testBucket, coffer.BucketEncryption{Algorithm: coffer.SSES3, BlockedEncryptionTypes: []string{"SSE-S3"}}, nil, "MalformedXML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.PutBucketEncryption(e.ctx, tc.bucket, tc.rule)
			var arg *coffer.ArgumentError
			switch {
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("err = %v, want %v", err, tc.want)
			case tc.want == nil && (!errors.As(err, &arg) || arg.Code != tc.code):
				t.Fatalf("err = %v, want an argument error %q", err, tc.code)
			}
		})
	}
	if _, err := e.svc.GetBucketEncryption(e.ctx, "nope"); !errors.Is(err, coffer.ErrNoSuchBucket) {
		t.Fatalf("get on a missing bucket: %v", err)
	}
	if err := e.svc.DeleteBucketEncryption(e.ctx, "nope"); !errors.Is(err, coffer.ErrNoSuchBucket) {
		t.Fatalf("delete on a missing bucket: %v", err)
	}
}

// TestBucketDefaultEncryption: writes that name no encryption take the
// bucket's rule (PUT, copy, multipart); explicit requests win, and the
// bucket key comes from the request's header when sent, else the rule.
func TestBucketDefaultEncryption(t *testing.T) {
	e := newKMSEnv(t, backends[0], Options{})
	ruleKey := e.kms.createKey()
	otherKey := e.kms.createKey()
	if err := e.svc.PutBucketEncryption(e.ctx, testBucket, coffer.BucketEncryption{Algorithm: coffer.SSEKMS, KMSMasterKeyID: ruleKey, BucketKeyEnabled: true}); err != nil {
		t.Fatal(err)
	}
	defaultKey := func() string { return e.kms.aliases["alias/aws/s3"] }
	cases := []struct {
		name string
		req  coffer.EncryptionRequest
		want func() coffer.EncryptionInfo
	}{
		{"nothing named", coffer.EncryptionRequest{}, func() coffer.EncryptionInfo {
			return coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: ruleKey, BucketKeyEnabled: true}
		}},
		{"bucket key header off", coffer.EncryptionRequest{BucketKeyEnabled: boolPtr(false)}, func() coffer.EncryptionInfo {
			return coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: ruleKey}
		}},
		{"explicit AES256", coffer.EncryptionRequest{Type: coffer.SSES3}, func() coffer.EncryptionInfo { return coffer.EncryptionInfo{Type: coffer.SSES3} }},
		{"explicit key keeps the bucket's bucket key", kmsRequestFor(otherKey), func() coffer.EncryptionInfo {
			return coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: otherKey, BucketKeyEnabled: true}
		}},
		{"aws:kms without a key is aws/s3", kmsRequestFor(""), func() coffer.EncryptionInfo {
			return coffer.EncryptionInfo{Type: coffer.SSEKMS, KMSKeyARN: defaultKey(), BucketKeyEnabled: true}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			put, err := e.putKMS("put", []byte("data"), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			copied, err := e.svc.CopyObject(e.ctx, testBucket, "copy", coffer.CopyOptions{Source: coffer.CopySource{Bucket: testBucket, Key: "put"}, Encryption: tc.req})
			if err != nil {
				t.Fatal(err)
			}
			up, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "mpu", coffer.UploadOptions{Encryption: tc.req})
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want()
			for what, got := range map[string]coffer.EncryptionInfo{"put": put.Encryption, "copy": copied.Encryption, "upload": up.Encryption} {
				if got != want {
					t.Errorf("%s: %+v, want %+v", what, got, want)
				}
			}
			if string(e.mustRead("copy")) != "data" {
				t.Fatal("copy reads wrong")
			}
		})
	}

	t.Run("blocked SSE-C", func(t *testing.T) {
		ck := &coffer.CustomerKey{Key: [32]byte{1, 2, 3}, MD5: "md5"}
		sseC := coffer.EncryptionRequest{Type: coffer.SSEC, CustomerKey: ck}
		if _, err := e.svc.PutObject(e.ctx, testBucket, "old", strings.NewReader("kept"), coffer.PutOptions{Encryption: sseC, Check: coffer.BodyCheck{Size: 4}}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.PutBucketEncryption(e.ctx, testBucket, coffer.BucketEncryption{Algorithm: coffer.SSES3, BlockedEncryptionTypes: []string{"SSE-C"}}); err != nil {
			t.Fatal(err)
		}
		writes := map[string]func() error{
			"put": func() error {
				_, err := e.svc.PutObject(e.ctx, testBucket, "c", bytes.NewReader(nil), coffer.PutOptions{Encryption: sseC})
				return err
			},
			"multipart": func() error {
				_, err := e.svc.CreateMultipartUpload(e.ctx, testBucket, "c", coffer.UploadOptions{Encryption: sseC})
				return err
			},
			"copy": func() error {
				_, err := e.svc.CopyObject(e.ctx, testBucket, "c", coffer.CopyOptions{
					Source: coffer.CopySource{Bucket: testBucket, Key: "old", CustomerKey: ck}, Encryption: sseC})
				return err
			},
		}
		for name, write := range writes {
			if err := write(); !errors.Is(err, coffer.ErrEncryptionTypeBlocked) {
				t.Fatalf("SSE-C %s on a bucket that blocks it: %v", name, err)
			}
		}
		if got, _, err := e.read("old", coffer.GetOptions{CustomerKey: ck}); err != nil || string(got) != "kept" {
			t.Fatalf("existing SSE-C object under a block reads %q, %v", got, err)
		}
		if err := e.svc.PutBucketEncryption(e.ctx, testBucket, coffer.BucketEncryption{Algorithm: coffer.SSES3, BlockedEncryptionTypes: []string{"NONE"}}); err != nil {
			t.Fatal(err)
		}
		for name, write := range writes {
			if err := write(); err != nil {
				t.Fatalf("SSE-C %s on a bucket that blocks nothing: %v", name, err)
			}
		}
	})

	t.Run("corrupt stored rule", func(t *testing.T) {
		err := e.store.UpdateBucket(e.ctx, testBucket, func(rec *coffer.BucketRecord) error {
			rec.Config["encryption"] = []byte(`{"v":9}`)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		e.svc.changedBucket(testBucket) // the store was changed behind the Service's back, as a damaged disk would
		if _, err := e.svc.GetBucketEncryption(e.ctx, testBucket); !errors.Is(err, coffer.ErrCorruptData) {
			t.Fatalf("unreadable rule: %v", err)
		}
		if _, err := e.putKMS("x", nil, coffer.EncryptionRequest{}); !errors.Is(err, coffer.ErrCorruptData) {
			t.Fatalf("write under an unreadable rule: %v", err)
		}
	})
}
