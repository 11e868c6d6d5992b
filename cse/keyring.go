package cse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// dataKeySize is the size of every data key this package writes and
// reads (AES-256), except V1's legacy keys.
const dataKeySize = 32

// Keyring wraps a fresh data key for every object Put writes and unwraps
// it again on Get. Only this package implements it: use NewKMSKeyring,
// NewAESKeyring, NewRSAKeyring or NewRSAEncryptOnlyKeyring.
type Keyring interface {
	// wrap returns a new data key and its wrapped form.
	wrap(ctx context.Context, req wrapRequest) (*wrappedKey, error)
	// unwrap returns the data key of env. It MUST fail with a wrapped
	// ErrWrongKey when env was wrapped by another key or another kind of
	// keyring, and never return a key it could not authenticate (V1's
	// AES/ECB excepted, which has nothing to authenticate with).
	unwrap(ctx context.Context, env *envelope, legacy bool) (*unwrappedKey, error)
}

type wrapRequest struct {
	format  Format
	cekAlg  string            // the content algorithm name the format stores
	context map[string]string // the caller's encryption context
	rand    io.Reader
}

type wrappedKey struct {
	dataKey  []byte
	edk      []byte
	wrapAlg  string
	context  map[string]string // as stored: the KMS context with its reserved key, or {}
	kmsKeyID string
}

type unwrappedKey struct {
	dataKey  []byte
	kmsKeyID string
}

// KMSAPI is the subset of *kms.Client the KMS keyring uses. Encrypt is not
// called today; it is part of the contract so that a keyring that
// generates data keys locally (as AWS's Java client may) can be added
// without changing it.
type KMSAPI interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
	Encrypt(ctx context.Context, in *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error)
}

// kmsKeyring wraps data keys with an AWS-KMS-API endpoint, in the
// "kms+context" mode: GenerateDataKey under the caller's context plus
// {"aws:x-amz-cek-alg": <content algorithm>}, stored in the envelope.
type kmsKeyring struct {
	client KMSAPI
	keyID  string
}

// NewKMSKeyring returns a keyring that calls the KMS behind client:
// GenerateDataKey (AES_256) on Put and Decrypt on Get. keyID is a key id,
// key ARN, alias name or alias ARN; Get passes it to Decrypt, so objects
// wrapped under another key fail with ErrWrongKey. An empty keyID makes a
// decrypt-only keyring that lets KMS find the key from the wrapped key
// itself (AWS's "any key" keyring); Put then fails.
func NewKMSKeyring(client KMSAPI, keyID string) Keyring {
	return &kmsKeyring{client: client, keyID: keyID}
}

func (k *kmsKeyring) wrap(ctx context.Context, req wrapRequest) (*wrappedKey, error) {
	if k.keyID == "" {
		return nil, errors.New("cse: a KMS keyring without a key id decrypts only")
	}
	for _, reserved := range []string{contextCEKKey, contextCMKKey} {
		if _, ok := req.context[reserved]; ok {
			return nil, fmt.Errorf("%w: %q is reserved by the format and cannot be in the encryption context", ErrContextMismatch, reserved)
		}
	}
	ec := maps.Clone(req.context)
	if ec == nil {
		ec = map[string]string{}
	}
	ec[contextCEKKey] = req.cekAlg
	out, err := k.client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:             aws.String(k.keyID),
		KeySpec:           kmstypes.DataKeySpecAes256,
		EncryptionContext: ec,
	})
	if err != nil {
		return nil, kmsError("GenerateDataKey", err)
	}
	if len(out.Plaintext) != dataKeySize || len(out.CiphertextBlob) == 0 {
		clear(out.Plaintext)
		return nil, fmt.Errorf("cse: KMS GenerateDataKey returned a %d-byte key, want %d", len(out.Plaintext), dataKeySize)
	}
	return &wrappedKey{
		dataKey: out.Plaintext, edk: out.CiphertextBlob, wrapAlg: wrapKMSEC,
		context: ec, kmsKeyID: aws.ToString(out.KeyId),
	}, nil
}

func (k *kmsKeyring) unwrap(ctx context.Context, env *envelope, legacy bool) (*unwrappedKey, error) {
	switch env.wrapAlg {
	case wrapKMSEC:
		// The stored context names the content algorithm; KMS
		// authenticates the context, so a changed x-amz-cek-alg (a
		// downgrade) cannot go unnoticed.
		cek, ok := env.context[contextCEKKey]
		if !ok {
			return nil, fmt.Errorf("%w: the stored encryption context lacks %s", ErrTampered, contextCEKKey)
		}
		if cek != env.cekAlg {
			return nil, fmt.Errorf("%w: the encryption context names content algorithm %q, the object %q", ErrTampered, cek, env.cekAlg)
		}
	case wrapKMS:
		if !legacy {
			return nil, fmt.Errorf("%w: the legacy \"kms\" wrapping is read only with Options.AllowLegacyV1", ErrUnsupportedFormat)
		}
		if _, ok := env.context[contextCEKKey]; ok {
			// The legacy mode stored {"kms_cmk_id": ...}; this context is
			// kms+context's, relabelled.
			return nil, fmt.Errorf("%w: a legacy \"kms\" envelope with the kms+context key %s", ErrTampered, contextCEKKey)
		}
	default:
		return nil, fmt.Errorf("%w: the data key is wrapped with %s, not KMS", ErrWrongKey, wrapName(env))
	}
	in := &kms.DecryptInput{CiphertextBlob: env.edk, EncryptionContext: env.context}
	if k.keyID != "" {
		in.KeyId = aws.String(k.keyID)
	}
	out, err := k.client.Decrypt(ctx, in)
	if err != nil {
		return nil, kmsError("Decrypt", err)
	}
	if len(out.Plaintext) != dataKeySize {
		clear(out.Plaintext)
		return nil, fmt.Errorf("%w: KMS returned a %d-byte data key, want %d", ErrTampered, len(out.Plaintext), dataKeySize)
	}
	return &unwrappedKey{dataKey: out.Plaintext, kmsKeyID: aws.ToString(out.KeyId)}, nil
}

// kmsError maps a KMS failure to the package's sentinels by its error code.
func kmsError(op string, err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "IncorrectKeyException", "InvalidCiphertextException":
			return fmt.Errorf("%w: KMS %s: %w", ErrWrongKey, op, err)
		case "AccessDeniedException", "DisabledException", "KMSInvalidStateException",
			"NotFoundException", "KeyUnavailableException", "InvalidKeyUsageException",
			"InvalidGrantTokenException", "UnrecognizedClientException":
			return fmt.Errorf("%w: KMS %s: %w", ErrKMSDenied, op, err)
		}
	}
	return fmt.Errorf("cse: KMS %s: %w", op, err)
}

// wrapName names an envelope's wrapping for messages.
func wrapName(env *envelope) string {
	if env.wrapAlg == "" {
		return "the implicit V1 wrapping"
	}
	return env.wrapAlg
}
