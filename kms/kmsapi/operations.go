package kmsapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/cofferlabs/coffer/kms"
)

// targetPrefix starts every X-Amz-Target of the KMS.
const targetPrefix = "TrentService."

// operation decodes a request body into its input type, calls the KMS and
// returns the output to encode.
type operation func(ctx context.Context, api *kms.API, body []byte) (any, error)

// bind makes an operation from a method of kms.API.
func bind[In, Out any](method func(*kms.API, context.Context, *In) (*Out, error)) operation {
	return func(ctx context.Context, api *kms.API, body []byte) (any, error) {
		in := new(In)
		if err := decode(body, in); err != nil {
			return nil, err
		}
		out, err := method(api, ctx, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// operations is the route table: X-Amz-Target operation name -> handler.
var operations = map[string]operation{
	"CreateKey":                       bind((*kms.API).CreateKey),
	"DescribeKey":                     bind((*kms.API).DescribeKey),
	"ListKeys":                        bind((*kms.API).ListKeys),
	"CreateAlias":                     bind((*kms.API).CreateAlias),
	"UpdateAlias":                     bind((*kms.API).UpdateAlias),
	"DeleteAlias":                     bind((*kms.API).DeleteAlias),
	"ListAliases":                     bind((*kms.API).ListAliases),
	"EnableKey":                       bind((*kms.API).EnableKey),
	"DisableKey":                      bind((*kms.API).DisableKey),
	"ScheduleKeyDeletion":             bind((*kms.API).ScheduleKeyDeletion),
	"CancelKeyDeletion":               bind((*kms.API).CancelKeyDeletion),
	"EnableKeyRotation":               bind((*kms.API).EnableKeyRotation),
	"DisableKeyRotation":              bind((*kms.API).DisableKeyRotation),
	"GetKeyRotationStatus":            bind((*kms.API).GetKeyRotationStatus),
	"RotateKeyOnDemand":               bind((*kms.API).RotateKeyOnDemand),
	"ListKeyRotations":                bind((*kms.API).ListKeyRotations),
	"GenerateDataKey":                 bind((*kms.API).GenerateDataKey),
	"GenerateDataKeyWithoutPlaintext": bind((*kms.API).GenerateDataKeyWithoutPlaintext),
	"Encrypt":                         bind((*kms.API).Encrypt),
	"Decrypt":                         bind((*kms.API).Decrypt),
	"ReEncrypt":                       bind((*kms.API).ReEncrypt),
	"GenerateRandom":                  bind((*kms.API).GenerateRandom),
	"GetKeyPolicy":                    bind((*kms.API).GetKeyPolicy),
	"PutKeyPolicy":                    bind((*kms.API).PutKeyPolicy),
	"ListKeyPolicies":                 bind((*kms.API).ListKeyPolicies),
	"TagResource":                     bind((*kms.API).TagResource),
	"UntagResource":                   bind((*kms.API).UntagResource),
	"ListResourceTags":                bind((*kms.API).ListResourceTags),
	"UpdateKeyDescription":            bind((*kms.API).UpdateKeyDescription),
}

// decode reads a JSON object into in. Blob members are standard base64.
// An empty body is the empty object; anything else that is not one JSON
// object of the right member types is a SerializationException.
func decode(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(in); err != nil {
		return serializationError(err)
	}
	if dec.More() {
		return &apiError{status: http.StatusBadRequest, code: codeSerialization, message: "The request body holds more than one JSON value."}
	}
	return nil
}

func serializationError(err error) *apiError {
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		base64Err base64.CorruptInputError
	)
	msg := "The request body is not valid JSON."
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		msg = fmt.Sprintf("Member %s must be of type %s, not %s.", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &typeErr):
		msg = "The request body must be a JSON object."
	case errors.As(err, &base64Err):
		msg = "A blob member is not valid base64."
	case errors.As(err, &syntax):
		msg = fmt.Sprintf("The request body is not valid JSON (at byte %d).", syntax.Offset)
	}
	return &apiError{status: http.StatusBadRequest, code: codeSerialization, message: msg}
}

// jsonKind names a Go kind as the JSON type a client should have sent.
func jsonKind(goKind string) string {
	switch goKind {
	case "int32", "int", "int64":
		return "integer"
	case "bool":
		return "boolean"
	case "slice":
		return "list or blob"
	case "map", "struct", "ptr":
		return "object"
	}
	return goKind
}
