package cse

import (
	"context"
	"errors"
	"maps"
	"testing"
)

func TestDetectFormat(t *testing.T) {
	cases := []struct {
		name string
		keys []string
		want string
		err  error
	}{
		{name: "V1", keys: []string{keyV1Key, keyIV, keyMatDesc}, want: "V1"},
		{name: "V2", keys: []string{keyV2Key, keyIV, keyMatDesc, keyWrapAlg, keyCEKAlg, keyTagLen}, want: "V2"},
		{name: "V3", keys: []string{keyV3Key, keyV3Commit, keyV3MsgID, keyV3CEK, keyV3Wrap}, want: "V3"},
		{name: "V3 object side of an instruction file", keys: []string{keyV3CEK, keyV3Commit, keyV3MsgID}, want: ""},
		{name: "nothing", keys: []string{"owner"}, want: ""},
		{name: "V2 key without IV", keys: []string{keyV2Key, keyWrapAlg}, want: ""},
		{name: "V1 and V2 keys", keys: []string{keyV1Key, keyV2Key, keyIV}, err: ErrTampered},
		{name: "V2 and V3 keys", keys: []string{keyV2Key, keyV3Key, keyIV}, err: ErrTampered},
		{name: "V1 with a V2-only key", keys: []string{keyV1Key, keyIV, keyCEKAlg}, err: ErrTampered},
		{name: "V2 with a V3-only key", keys: []string{keyV2Key, keyIV, keyV3MsgID}, err: ErrTampered},
		{name: "V3 with an IV", keys: []string{keyV3Key, keyV3Commit, keyV3MsgID, keyIV}, err: ErrTampered},
		{name: "V3 with a material description", keys: []string{keyV3Key, keyV3Commit, keyV3MsgID, keyMatDesc}, err: ErrTampered},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]string{}
			for _, k := range tc.keys {
				m[k] = "x"
			}
			got, err := detectFormat(m)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("detectFormat = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestParseInstructionFile(t *testing.T) {
	cases := []struct {
		name string
		body string
		want map[string]string
		err  error
	}{
		{name: "strings", body: `{"x-amz-iv":"AAAA","x-amz-tag-len":"128"}`, want: map[string]string{keyIV: "AAAA", keyTagLen: "128"}},
		// The Java client's instruction files, and others, may hold numbers.
		{name: "numbers", body: `{"x-amz-tag-len":128,"x-amz-unencrypted-content-length":29}`, want: map[string]string{keyTagLen: "128", keyPlainLen: "29"}},
		{name: "null is absent", body: `{"x-amz-unencrypted-content-length":null, "x-amz-iv":"A"}`, want: map[string]string{keyIV: "A"}},
		{name: "whitespace", body: " \n{ \"x-amz-iv\" : \"A\" }\n", want: map[string]string{keyIV: "A"}},
		{name: "number elsewhere", body: `{"x-amz-iv":12}`, err: ErrTampered},
		{name: "fraction", body: `{"x-amz-tag-len":1.5}`, err: ErrTampered},
		{name: "object value", body: `{"x-amz-matdesc":{}}`, err: ErrTampered},
		{name: "unknown key", body: `{"x-amz-iv":"A","other":"b"}`, err: ErrUnsupportedFormat},
		{name: "upper case key", body: `{"X-Amz-Iv":"A"}`, err: ErrUnsupportedFormat},
		{name: "array", body: `[]`, err: ErrTampered},
		{name: "null", body: `null`, err: ErrTampered},
		{name: "trailing data", body: `{"x-amz-iv":"A"}{}`, err: ErrTampered},
		{name: "trailing brace", body: `{"x-amz-iv":"A"}}`, err: ErrTampered},
		{name: "empty", body: ``, err: ErrTampered},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseInstructionFile([]byte(tc.body))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || !maps.Equal(got, tc.want) {
				t.Fatalf("parse = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestDecodeContext(t *testing.T) {
	cases := []struct {
		name, in string
		want     map[string]string
		err      bool
	}{
		{name: "empty is {}", in: "", want: map[string]string{}},
		{name: "object", in: `{"a":"b"}`, want: map[string]string{"a": "b"}},
		{name: "escapes", in: `{"caf\u00e9":"\ud83d\ude00"}`, want: map[string]string{"café": "😀"}},
		{name: "S3 double encoding", in: "=?UTF-8?B?" + base64Std(latin1(`{"café":"ok"}`)) + "?=", want: map[string]string{"café": "ok"}},
		{name: "number value", in: `{"a":1}`, err: true},
		{name: "array", in: `["a"]`, err: true},
		{name: "trailing", in: `{"a":"b"} x`, err: true},
		{name: "null", in: `null`, err: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeContext("x-amz-matdesc", tc.in)
			if tc.err {
				if !errors.Is(err, ErrTampered) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || !maps.Equal(got, tc.want) {
				t.Fatalf("decode = %v, %v", got, err)
			}
		})
	}
	if got := encodeContext(map[string]string{"café": "😀", "a": "<b>"}); got != `{"a":"\u003cb\u003e","caf\u00e9":"\ud83d\ude00"}` {
		t.Fatalf("encodeContext = %s", got)
	}
}

// TestAWSv4Layout reads a V3 object laid out as AWS's Go v4 client writes
// it (spec §2.5): empty x-amz-m and x-amz-unencrypted-content-length.
func TestAWSv4Layout(t *testing.T) {
	for _, v := range knownAnswers() {
		if v.name != "V3 kms+context" {
			continue
		}
		store := newFakeS3()
		meta := maps.Clone(v.meta)
		meta[keyV3MatDesc] = ""
		meta[keyPlainLen] = ""
		store.set("b", "k", meta, mustHex(v.bodies[1].hex))
		got, env, err := New(store, v.keyring(t), Options{}).GetAll(context.Background(), GetInput{Bucket: "b", Key: "k"}, 100)
		if err != nil || string(got) != string(vecPlaintext(29)) || env.PlaintextSize != 29 {
			t.Fatalf("GetAll: %v, size %v", err, env)
		}
	}
}
