package sse

import (
	"bytes"
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
	"testing"

	"github.com/cofferlabs/coffer"
)

const (
	testAccount = "123456789012"
	testRegion  = "eu-test-1"
)

// testKMS is a coffer.KeyManager for tests. It really seals: every key has
// its own AES-256-GCM secret, and a blob (which names its key) opens only
// under the exact encryption context it was made with, the context being
// the AAD as sorted JSON. It checks key states as AWS does, records every
// call with the caller and context it saw, and fails on demand.
type testKMS struct {
	mu      sync.Mutex
	keys    map[string]*testKMSKey // by ARN
	aliases map[string]string      // alias name -> key ARN
	nextID  int
	calls   []kmsCall
	failing map[string]*coffer.KMSError // operation -> the error it answers
}

type testKMSKey struct {
	arn     string
	secret  cipher.AEAD
	state   string          // "Enabled", "Disabled", "PendingDeletion"
	allowed map[string]bool // principal ARNs allowed; nil allows everyone
}

// kmsCall is one call as the KMS saw it.
type kmsCall struct {
	Op        string
	KeyARN    string
	Context   map[string]string
	Principal coffer.Principal
	Via       string
}

func newTestKMS() *testKMS {
	return &testKMS{keys: map[string]*testKMSKey{}, aliases: map[string]string{}, failing: map[string]*coffer.KMSError{}}
}

// createKey makes an enabled key and returns its ARN.
func (k *testKMS) createKey() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.createKeyLocked()
}

func (k *testKMS) createKeyLocked() string {
	k.nextID++
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", k.nextID)
	arn := "arn:aws:kms:" + testRegion + ":" + testAccount + ":key/" + id
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err)
	}
	block, _ := aes.NewCipher(secret)
	gcm, _ := cipher.NewGCM(block)
	k.keys[arn] = &testKMSKey{arn: arn, secret: gcm, state: "Enabled"}
	return arn
}

func (k *testKMS) alias(name, arn string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.aliases[name] = arn
}

func (k *testKMS) setState(arn, state string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[arn].state = state
}

// allowOnly restricts a key to the given principals.
func (k *testKMS) allowOnly(arn string, principals ...string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[arn].allowed = map[string]bool{}
	for _, p := range principals {
		k.keys[arn].allowed[p] = true
	}
}

func (k *testKMS) failWith(op, code string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if code == "" {
		delete(k.failing, op)
		return
	}
	k.failing[op] = &coffer.KMSError{Code: code, Message: "injected " + code}
}

// count returns how many calls of op the KMS received ("" counts all).
func (k *testKMS) count(op string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, c := range k.calls {
		if op == "" || c.Op == op {
			n++
		}
	}
	return n
}

func (k *testKMS) lastCall() kmsCall {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.calls[len(k.calls)-1]
}

// resolve finds a key by id, ARN, alias or alias ARN; "" is alias/aws/s3,
// created on first use.
func (k *testKMS) resolve(keyID string) (*testKMSKey, *coffer.KMSError) {
	aliasPrefix := "arn:aws:kms:" + testRegion + ":" + testAccount + ":alias/"
	switch {
	case keyID == "":
		if _, ok := k.aliases["alias/aws/s3"]; !ok {
			k.aliases["alias/aws/s3"] = k.createKeyLocked()
		}
		keyID = k.aliases["alias/aws/s3"]
	case strings.HasPrefix(keyID, "alias/"), strings.HasPrefix(keyID, aliasPrefix):
		name := "alias/" + strings.TrimPrefix(strings.TrimPrefix(keyID, aliasPrefix), "alias/")
		arn, ok := k.aliases[name]
		if !ok {
			return nil, &coffer.KMSError{Code: "NotFoundException", Message: "Alias " + aliasPrefix + strings.TrimPrefix(name, "alias/") + " is not found."}
		}
		keyID = arn
	case !strings.HasPrefix(keyID, "arn:"):
		keyID = "arn:aws:kms:" + testRegion + ":" + testAccount + ":key/" + keyID
	}
	key, ok := k.keys[keyID]
	if !ok {
		return nil, &coffer.KMSError{Code: "NotFoundException", Message: "Key '" + keyID + "' does not exist"}
	}
	return key, nil
}

// usable applies the key's state and policy to the caller in ctx.
func (key *testKMSKey) usable(ctx context.Context) *coffer.KMSError {
	switch key.state {
	case "Disabled":
		return &coffer.KMSError{Code: "DisabledException", Message: key.arn + " is disabled."}
	case "PendingDeletion":
		return &coffer.KMSError{Code: "KMSInvalidStateException", Message: key.arn + " is pending deletion."}
	}
	if p, _ := coffer.PrincipalFrom(ctx); key.allowed != nil && !key.allowed[p.ARN] {
		return &coffer.KMSError{Code: "AccessDeniedException", Message: "User: " + p.ARN + " is not authorized to perform this operation"}
	}
	return nil
}

func (k *testKMS) record(ctx context.Context, op, keyARN string, ec map[string]string) {
	p, _ := coffer.PrincipalFrom(ctx)
	k.calls = append(k.calls, kmsCall{Op: op, KeyARN: keyARN, Context: maps.Clone(ec), Principal: p, Via: coffer.RequestInfoFrom(ctx).ViaService})
}

func (k *testKMS) ResolveKey(ctx context.Context, keyID string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.record(ctx, "ResolveKey", "", nil)
	key, kerr := k.resolve(keyID)
	if kerr != nil {
		return "", kerr
	}
	if kerr := key.usable(ctx); kerr != nil {
		return "", kerr
	}
	return key.arn, nil
}

func (k *testKMS) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) ([]byte, []byte, string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	key, kerr := k.resolve(keyID)
	arn := ""
	if key != nil {
		arn = key.arn
	}
	k.record(ctx, "GenerateDataKey", arn, ec)
	if failure := k.failing["GenerateDataKey"]; failure != nil {
		return nil, nil, "", failure
	}
	if kerr != nil {
		return nil, nil, "", kerr
	}
	if kerr := key.usable(ctx); kerr != nil {
		return nil, nil, "", kerr
	}
	plain := make([]byte, 32)
	nonce := make([]byte, 12)
	if _, err := rand.Read(plain); err != nil {
		return nil, nil, "", err
	}
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, "", err
	}
	blob := binary.BigEndian.AppendUint16([]byte("TK"), uint16(len(key.arn)))
	blob = append(blob, key.arn...)
	blob = append(blob, nonce...)
	blob = key.secret.Seal(blob, nonce, plain, testKMSAAD(key.arn, ec))
	return plain, blob, key.arn, nil
}

func (k *testKMS) Decrypt(ctx context.Context, blob []byte, ec map[string]string) ([]byte, string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	invalid := &coffer.KMSError{Code: "InvalidCiphertextException"}
	if len(blob) < 4 || string(blob[:2]) != "TK" {
		k.record(ctx, "Decrypt", "", ec)
		return nil, "", invalid
	}
	n := int(binary.BigEndian.Uint16(blob[2:]))
	if len(blob) < 4+n+12 {
		k.record(ctx, "Decrypt", "", ec)
		return nil, "", invalid
	}
	arn := string(blob[4 : 4+n])
	k.record(ctx, "Decrypt", arn, ec)
	if failure := k.failing["Decrypt"]; failure != nil {
		return nil, "", failure
	}
	key, ok := k.keys[arn]
	if !ok {
		return nil, "", &coffer.KMSError{Code: "AccessDeniedException", Message: "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access."}
	}
	if kerr := key.usable(ctx); kerr != nil {
		return nil, "", kerr
	}
	nonce := blob[4+n : 4+n+12]
	plain, err := key.secret.Open(nil, nonce, blob[4+n+12:], testKMSAAD(arn, ec))
	if err != nil {
		return nil, "", invalid
	}
	return plain, arn, nil
}

func testKMSAAD(arn string, ec map[string]string) []byte {
	doc, _ := json.Marshal(ec) // json sorts map keys
	return append([]byte(arn+"\x00"), doc...)
}

var _ coffer.KeyManager = (*testKMS)(nil)

// kmsEnv is an env whose Service has the test KMS behind SSE-KMS and
// whose context carries the account's root as the caller, over TLS with
// SigV4, as s3api would set it.
type kmsEnv struct {
	*env
	kms *testKMS
}

var rootPrincipal = coffer.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount, AccessKeyID: "AKIAROOT"}

func callerContext(p coffer.Principal) context.Context {
	ctx := coffer.WithPrincipal(context.Background(), p)
	return coffer.WithRequestInfo(ctx, coffer.RequestInfo{RequestID: "REQ", SourceIP: "127.0.0.1", SecureTransport: true, SignatureVersion: 4})
}

func newKMSEnv(t testing.TB, b backend, opts Options) *kmsEnv {
	t.Helper()
	store, keys := b.open(t)
	clock := newFakeClock()
	km := newTestKMS()
	opts.Region, opts.AccountID, opts.Now, opts.KeyManager = testRegion, testAccount, clock.Now, km
	ring := newTestKeyring(t, keys)
	e := &env{t: t, ctx: callerContext(rootPrincipal), store: store, keys: keys, ring: ring, clock: clock, svc: New(store, ring, opts)}
	if err := e.svc.CreateBucket(e.ctx, testBucket); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	return &kmsEnv{env: e, kms: km}
}

// putKMS writes key with SSE-KMS as req says.
func (e *kmsEnv) putKMS(key string, data []byte, req coffer.EncryptionRequest) (coffer.ObjectInfo, error) {
	return e.svc.PutObject(e.ctx, testBucket, key, bytes.NewReader(data), coffer.PutOptions{
		Check: coffer.BodyCheck{Size: int64(len(data))}, Encryption: req,
	})
}

func kmsRequestFor(keyID string) coffer.EncryptionRequest {
	return coffer.EncryptionRequest{Type: coffer.SSEKMS, KMSKeyID: keyID}
}

func boolPtr(b bool) *bool { return &b }
