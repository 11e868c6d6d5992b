package coffer

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateBucketName(t *testing.T) {
	cases := []struct {
		name  string
		valid bool
	}{
		{name: "my-bucket", valid: true},
		{name: "abc", valid: true},
		{name: "a.b-c.d1", valid: true},
		{name: strings.Repeat("a", 63), valid: true},
		{name: "ab"},
		{name: strings.Repeat("a", 64)},
		{name: "My-Bucket"},
		{name: "_coffer"},
		{name: "my_bucket"},
		{name: "-bucket"},
		{name: "bucket-"},
		{name: ".bucket"},
		{name: "my..bucket"},
		{name: "my.-bucket"},
		{name: "my-.bucket"},
		{name: "192.168.5.4"},
		{name: "xn--bucket"},
		{name: "sthree-bucket"},
		{name: "bucket-s3alias"},
		{name: "bucket--ol-s3"},
		{name: "bucket.mrap"},
		{name: "bucket--x-s3"},
		{name: "bücket"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateBucketName(tc.name)
			if tc.valid && err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if !tc.valid && !errors.Is(err, ErrInvalidBucketName) {
				t.Fatalf("accepted, or wrong error: %v", err)
			}
		})
	}
}

func TestValidateObjectKey(t *testing.T) {
	cases := []struct {
		name string
		key  string
		want error
	}{
		{name: "plain", key: "a/b/c.txt"},
		{name: "unicode", key: "δοκιμή/ファイル"},
		{name: "longest", key: strings.Repeat("k", MaxObjectKeyLength)},
		{name: "empty", key: "", want: ErrInvalidObjectName},
		{name: "too long", key: strings.Repeat("k", MaxObjectKeyLength+1), want: ErrKeyTooLong},
		{name: "invalid UTF-8", key: "bad\xff", want: ErrInvalidObjectName},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateObjectKey(tc.key); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestUserMetadataSize(t *testing.T) {
	m := ObjectMeta{User: map[string]string{"color": "blue", "empty": ""}}
	if got, want := m.UserMetadataSize(), len("x-amz-meta-color")+4+len("x-amz-meta-empty"); got != want {
		t.Fatalf("size = %d, want %d", got, want)
	}
}
