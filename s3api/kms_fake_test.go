package s3api

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/cofferlabs/coffer"
)

const testAccount = "123456789012"

// fakeKMS is a coffer.KeyManager for the front end's tests: AES-GCM per
// key with the encryption context (as sorted JSON) for AAD, AWS's key
// states, per-key allow lists, injected failures, and a log of every call
// with the principal and context it carried.
type fakeKMS struct {
	mu      sync.Mutex
	keys    map[string]*fakeKMSKey
	aliases map[string]string
	next    int
	calls   []fakeKMSCall
	failing map[string]string // operation -> KMS error code
}

type fakeKMSKey struct {
	arn     string
	aead    cipher.AEAD
	state   string
	allowed map[string]bool
}

type fakeKMSCall struct {
	Op        string
	Context   map[string]string
	Principal coffer.Principal
	Info      coffer.RequestInfo
}

func newFakeKMS() *fakeKMS {
	return &fakeKMS{keys: map[string]*fakeKMSKey{}, aliases: map[string]string{}, failing: map[string]string{}}
}

func (k *fakeKMS) createKey() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.createLocked()
}

func (k *fakeKMS) createLocked() string {
	k.next++
	arn := fmt.Sprintf("arn:aws:kms:%s:%s:key/00000000-0000-4000-8000-%012d", testRegion, testAccount, k.next)
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err)
	}
	block, _ := aes.NewCipher(secret)
	aead, _ := cipher.NewGCM(block)
	k.keys[arn] = &fakeKMSKey{arn: arn, aead: aead, state: "Enabled"}
	return arn
}

func (k *fakeKMS) alias(name, arn string) { k.mu.Lock(); k.aliases[name] = arn; k.mu.Unlock() }
func (k *fakeKMS) setState(arn, state string) {
	k.mu.Lock()
	k.keys[arn].state = state
	k.mu.Unlock()
}
func (k *fakeKMS) failWith(op, code string) { k.mu.Lock(); k.failing[op] = code; k.mu.Unlock() }

func (k *fakeKMS) allowOnly(arn string, principals ...string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[arn].allowed = map[string]bool{}
	for _, p := range principals {
		k.keys[arn].allowed[p] = true
	}
}

func (k *fakeKMS) count(op string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, c := range k.calls {
		if c.Op == op {
			n++
		}
	}
	return n
}

func (k *fakeKMS) last() fakeKMSCall {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.calls[len(k.calls)-1]
}

func (k *fakeKMS) awsS3Key() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.aliases["alias/aws/s3"]
}

func (k *fakeKMS) resolve(keyID string) (*fakeKMSKey, error) {
	aliasARN := "arn:aws:kms:" + testRegion + ":" + testAccount + ":alias/"
	switch {
	case keyID == "":
		if k.aliases["alias/aws/s3"] == "" {
			k.aliases["alias/aws/s3"] = k.createLocked()
		}
		keyID = k.aliases["alias/aws/s3"]
	case strings.HasPrefix(keyID, "alias/") || strings.HasPrefix(keyID, aliasARN):
		name := "alias/" + strings.TrimPrefix(strings.TrimPrefix(keyID, aliasARN), "alias/")
		if k.aliases[name] == "" {
			return nil, &coffer.KMSError{Code: "NotFoundException", Message: "Alias " + aliasARN + strings.TrimPrefix(name, "alias/") + " is not found."}
		}
		keyID = k.aliases[name]
	case !strings.HasPrefix(keyID, "arn:"):
		keyID = "arn:aws:kms:" + testRegion + ":" + testAccount + ":key/" + keyID
	}
	key := k.keys[keyID]
	if key == nil {
		return nil, &coffer.KMSError{Code: "NotFoundException", Message: "Key '" + keyID + "' does not exist"}
	}
	return key, nil
}

func (k *fakeKMS) check(ctx context.Context, op string, key *fakeKMSKey) error {
	if code := k.failing[op]; code != "" {
		return &coffer.KMSError{Code: code, Message: "injected " + code}
	}
	switch key.state {
	case "Disabled":
		return &coffer.KMSError{Code: "DisabledException", Message: key.arn + " is disabled."}
	case "PendingDeletion":
		return &coffer.KMSError{Code: "KMSInvalidStateException", Message: key.arn + " is pending deletion."}
	}
	if p, _ := coffer.PrincipalFrom(ctx); key.allowed != nil && !key.allowed[p.ARN] {
		return &coffer.KMSError{Code: "AccessDeniedException", Message: "not authorized"}
	}
	return nil
}

func (k *fakeKMS) record(ctx context.Context, op string, ec map[string]string) {
	p, _ := coffer.PrincipalFrom(ctx)
	k.calls = append(k.calls, fakeKMSCall{Op: op, Context: maps.Clone(ec), Principal: p, Info: coffer.RequestInfoFrom(ctx)})
}

func (k *fakeKMS) ResolveKey(ctx context.Context, keyID string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.record(ctx, "ResolveKey", nil)
	key, err := k.resolve(keyID)
	if err != nil {
		return "", err
	}
	return key.arn, k.check(ctx, "ResolveKey", key)
}

func (k *fakeKMS) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) ([]byte, []byte, string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.record(ctx, "GenerateDataKey", ec)
	key, err := k.resolve(keyID)
	if err != nil {
		return nil, nil, "", err
	}
	if err := k.check(ctx, "GenerateDataKey", key); err != nil {
		return nil, nil, "", err
	}
	plain, nonce := make([]byte, 32), make([]byte, 12)
	rand.Read(plain)
	rand.Read(nonce)
	blob := binary.BigEndian.AppendUint16(nil, uint16(len(key.arn)))
	blob = append(append(blob, key.arn...), nonce...)
	return plain, key.aead.Seal(blob, nonce, plain, fakeKMSAAD(ec)), key.arn, nil
}

func (k *fakeKMS) Decrypt(ctx context.Context, blob []byte, ec map[string]string) ([]byte, string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.record(ctx, "Decrypt", ec)
	invalid := &coffer.KMSError{Code: "InvalidCiphertextException"}
	if len(blob) < 2 || len(blob) < 2+int(binary.BigEndian.Uint16(blob))+12 {
		return nil, "", invalid
	}
	n := int(binary.BigEndian.Uint16(blob))
	key := k.keys[string(blob[2:2+n])]
	if key == nil {
		return nil, "", &coffer.KMSError{Code: "AccessDeniedException", Message: "The ciphertext refers to a customer master key that does not exist."}
	}
	if err := k.check(ctx, "Decrypt", key); err != nil {
		return nil, "", err
	}
	plain, err := key.aead.Open(nil, blob[2+n:2+n+12], blob[2+n+12:], fakeKMSAAD(ec))
	if err != nil {
		return nil, "", invalid
	}
	return plain, key.arn, nil
}

func fakeKMSAAD(ec map[string]string) []byte {
	doc, _ := json.Marshal(ec) // sorted keys
	return doc
}

var _ coffer.KeyManager = (*fakeKMS)(nil)
