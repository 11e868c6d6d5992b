package postpolicy

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name       string
		conditions string
		fields     map[string]string
		length     int64
		wantErr    error
		wantText   string
	}{
		{name: "eq", conditions: `{"acl": "private"}`, fields: map[string]string{"acl": "private"}},
		{name: "eq as list", conditions: `["eq", "$acl", "private"]`, fields: map[string]string{"acl": "private"}},
		{name: "eq mismatch", conditions: `["eq", "$acl", "private"]`, fields: map[string]string{"acl": "public-read"},
			wantErr: ErrPolicyConditionFailed, wantText: `Invalid according to Policy: Policy Condition failed: ["eq", "$acl", "private"]`},
		{name: "values are case-sensitive", conditions: `{"success_action_redirect": "http://x/"}`, fields: map[string]string{"success_action_redirect": "HTTP://x/"}, wantErr: ErrPolicyConditionFailed},
		{name: "names are case-insensitive", conditions: `["starts-with", "$CoNtEnT-TyPe", "text/"], {"X-AMZ-META-TEST-2": "v"}`, fields: map[string]string{"Content-Type": "text/plain", "x-amz-meta-TEST-2": "v"}},
		{name: "starts-with", conditions: `["starts-with", "$key", "user/"]`, fields: map[string]string{"key": "user/a.txt"}},
		{name: "starts-with mismatch", conditions: `["starts-with", "$key", "user/"]`, fields: map[string]string{"key": "admin/a.txt"}, wantErr: ErrPolicyConditionFailed},
		{name: "starts-with empty allows anything", conditions: `["starts-with", "$x-amz-meta-tag", ""]`, fields: map[string]string{"x-amz-meta-tag": "anything"}},
		{name: "absent field fails even starts-with empty", conditions: `["starts-with", "$Content-Type", ""]`, fields: map[string]string{},
			wantErr: ErrPolicyConditionFailed, wantText: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", ""]`},
		{name: "content-type list all match", conditions: `["starts-with", "$Content-Type", "image/"]`, fields: map[string]string{"content-type": "image/jpg,image/png, image/gif"}},
		{name: "content-type list one differs", conditions: `["starts-with", "$Content-Type", "image/"]`, fields: map[string]string{"content-type": "image/jpg,text/plain"}, wantErr: ErrPolicyConditionFailed},
		{name: "commas are plain text elsewhere", conditions: `["starts-with", "$key", "a/"]`, fields: map[string]string{"key": "a/b,c/d"}},
		{name: "field reference without dollar never passes", conditions: `["eq", "acl", "private"]`, fields: map[string]string{"acl": "private"}, wantErr: ErrPolicyConditionFailed},
		{name: "escaped dollar is literal", conditions: `["starts-with", "$key", "\\$foo"]`, fields: map[string]string{"key": `\$foo.txt`}},
		{name: "uncovered field", conditions: `{"acl": "private"}`, fields: map[string]string{"acl": "private", "Filename": "a.jpg"},
			wantErr: ErrPolicyConditionFailed, wantText: "Invalid according to Policy: Extra input fields: filename"},
		{name: "exempt fields", conditions: `{"acl": "private"}`, fields: map[string]string{"acl": "private", "x-amz-signature": "s", "policy": "p", "file": "f", "x-ignore-foo": "bar", "bucket": "b"}},
		{name: "bucket condition checked", conditions: `{"bucket": "b"}`, fields: map[string]string{"bucket": "c"}, wantErr: ErrPolicyConditionFailed},
		{name: "range inside", conditions: `["content-length-range", 5, 10]`, fields: map[string]string{}, length: 7},
		{name: "range lower bound inclusive", conditions: `["content-length-range", 5, 10]`, fields: map[string]string{}, length: 5},
		{name: "range upper bound inclusive", conditions: `["content-length-range", 5, 10]`, fields: map[string]string{}, length: 10},
		{name: "range too small", conditions: `["content-length-range", 5, 10]`, fields: map[string]string{}, length: 1, wantErr: ErrEntityTooSmall},
		{name: "range too large", conditions: `["content-length-range", 5, 10]`, fields: map[string]string{}, length: 12, wantErr: ErrEntityTooLarge},
		{name: "range as strings", conditions: `["content-length-range", "5", "10"]`, fields: map[string]string{}, length: 12, wantErr: ErrEntityTooLarge},
		{name: "range unknown length deferred", conditions: `["content-length-range", 5, 10]`, fields: map[string]string{}, length: -1},
		{name: "range bad arguments", conditions: `["content-length-range", "test", "10"]`, fields: map[string]string{}, length: 3,
			wantErr: ErrPolicyConditionFailed, wantText: `Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]`},
		{name: "zero range", conditions: `["content-length-range", 0, 0]`, fields: map[string]string{}, length: 3, wantErr: ErrEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(`{"expiration": "2026-01-01T00:00:00Z", "conditions": [` + tt.conditions + `]}`))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = p.Check(tt.fields, tt.length)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Check error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantText != "" && err.Error() != tt.wantText {
				t.Fatalf("message = %q, want %q", err.Error(), tt.wantText)
			}
		})
	}
}

func TestLengthRange(t *testing.T) {
	p, err := Parse([]byte(`{"expiration": "2026-01-01T00:00:00Z", "conditions": [["content-length-range", 1, 100], ["content-length-range", 10, 50]]}`))
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := p.MaxLength(); !ok || n != 50 {
		t.Fatalf("MaxLength = %d, %v", n, ok)
	}
	var se *SizeError
	if err := p.CheckLength(5); !errors.As(err, &se) || se.Min != 10 || se.Proposed != 5 || !errors.Is(err, ErrEntityTooSmall) {
		t.Fatalf("CheckLength(5) = %v", err)
	}
	if err := p.CheckLength(51); !errors.Is(err, ErrEntityTooLarge) || err.Error() != "Your proposed upload exceeds the maximum allowed size (51 > 50)" {
		t.Fatalf("CheckLength(51) = %v", err)
	}
	if err := p.CheckLength(50); err != nil {
		t.Fatalf("CheckLength(50) = %v", err)
	}
	unbounded, _ := Parse([]byte(`{"expiration": "2026-01-01T00:00:00Z", "conditions": []}`))
	if _, ok := unbounded.MaxLength(); ok {
		t.Fatal("MaxLength of a policy without a range")
	}
}
