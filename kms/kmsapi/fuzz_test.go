package kmsapi

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cofferlabs/coffer"
)

// FuzzOperationRequest feeds arbitrary bodies to every operation, as the
// handler does after authentication: each answers a response or a client
// error (SerializationException or a KMS error), never a panic or an
// internal error, and every response encodes.
func FuzzOperationRequest(f *testing.F) {
	s := startServer(f)
	names := make([]string, 0, len(operations))
	for name := range operations {
		names = append(names, name)
	}
	slices.Sort(names)
	seeds := []string{
		`{}`, `null`, `[]`, `{"KeyId":"alias/aws/s3"}`, `{"KeyId":"alias/x","Plaintext":"aGk=","EncryptionContext":{"a":"b"}}`,
		`{"CiphertextBlob":"AQ==","EncryptionContext":{"":""}}`, `{"Limit":1,"Marker":"a2V5cwB4"}`, `{"NumberOfBytes":1024}`,
		`{"KeySpec":"AES_256","NumberOfBytes":-1}`, `{"Tags":[{"TagKey":"k"}]}`, `{"Policy":"{\"Statement\":[]}"}`,
		`{"AliasName":"alias/a","TargetKeyId":"arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"}`,
	}
	for i, seed := range seeds {
		f.Add(uint8(i), []byte(seed))
	}
	root, _ := rootOf(testAccount)(testAccessKey)
	ctx := coffer.WithPrincipal(context.Background(), root)
	api := s.kms.API()
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := names[int(op)%len(names)]
		out, err := operations[name](ctx, api, body)
		if err != nil {
			if _, internal := toAPIError(err); internal {
				t.Fatalf("%s(%q): internal error %v", name, body, err)
			}
			var ae *apiError
			if errors.As(err, &ae) && ae.code != codeSerialization {
				t.Fatalf("%s(%q): protocol error %v", name, body, err)
			}
			return
		}
		if _, err := encode(out); err != nil {
			t.Fatalf("%s: encoding %T: %v", name, out, err)
		}
	})
}
