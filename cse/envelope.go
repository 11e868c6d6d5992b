package cse

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Mapkeys of the envelope, as stored in user metadata (S3 adds the
// x-amz-meta- prefix on the wire; the SDK strips it) or in an instruction
// file. FORMAT.md lists which format uses which.
const (
	keyV1Key     = "x-amz-key"                        // V1: wrapped data key
	keyV2Key     = "x-amz-key-v2"                     // V2: wrapped data key
	keyIV        = "x-amz-iv"                         // V1/V2: content IV
	keyMatDesc   = "x-amz-matdesc"                    // V1/V2: KMS context or material description
	keyWrapAlg   = "x-amz-wrap-alg"                   // V2: wrapping algorithm
	keyCEKAlg    = "x-amz-cek-alg"                    // V2: content algorithm
	keyTagLen    = "x-amz-tag-len"                    // V2: GCM tag bits
	keyPlainLen  = "x-amz-unencrypted-content-length" // all: plaintext length
	keyV3CEK     = "x-amz-c"                          // V3: content algorithm suite
	keyV3Key     = "x-amz-3"                          // V3: wrapped data key
	keyV3MatDesc = "x-amz-m"                          // V3: material description (raw keyrings)
	keyV3Context = "x-amz-t"                          // V3: KMS encryption context
	keyV3Wrap    = "x-amz-w"                          // V3: wrapping algorithm, compressed
	keyV3Commit  = "x-amz-d"                          // V3: key commitment
	keyV3MsgID   = "x-amz-i"                          // V3: message ID

	// instructionMarker is the user metadata key (empty value) that marks
	// an instruction file object, as the Java and Python clients set it.
	instructionMarker = "x-amz-crypto-instr-file"
	// instructionSuffix names the instruction file of object K: K + suffix.
	instructionSuffix = ".instruction"
	// maxInstructionFile bounds what is read of an instruction file.
	maxInstructionFile = 64 << 10
)

// Content and wrapping algorithm names, as the formats spell them.
const (
	cekGCM    = "AES/GCM/NoPadding"    // V2 content: AES-256-GCM, no AAD
	cekCBC    = "AES/CBC/PKCS5Padding" // V1 (and legacy V2) content: unauthenticated
	cekV3     = "115"                  // V3 content: suite 0x0073, key-committing
	wrapKMSEC = "kms+context"
	wrapKMS   = "kms" // legacy: the material description is the KMS context
	wrapAES   = "AES/GCM"
	wrapRSA   = "RSA-OAEP-SHA1"

	// Reserved encryption context keys.
	contextCEKKey    = "aws:x-amz-cek-alg"
	contextCMKKey    = "kms_cmk_id"
	v3MessageIDSize  = 28
	v3CommitmentSize = 28
)

// v3WrapNames maps the V3 compressed wrapping algorithm codes to names.
var v3WrapNames = map[string]string{"02": wrapAES, "12": wrapKMSEC, "22": wrapRSA}

func v3WrapCode(name string) string {
	for code, n := range v3WrapNames {
		if n == name {
			return code
		}
	}
	return ""
}

// Format selects the format Put writes. Get reads every format whatever
// the Options say (V1 only with Options.AllowLegacyV1).
type Format int

const (
	// FormatV2 is AES/GCM/NoPadding content with the x-amz-key-v2 envelope,
	// what the AWS S3 Encryption Client v2/v3 writes and every AWS client
	// reads. It is the default.
	FormatV2 Format = iota
	// FormatV3 is algorithm suite 115 (ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY):
	// the content key is derived with HKDF-SHA512 from the data key and a
	// 28-byte message ID and committed to in x-amz-d, so an envelope cannot
	// be swapped for another key that decrypts the same ciphertext
	// differently. Written by the AWS S3 Encryption Client v4 (Go, Java,
	// .NET); read by v3.2.0 and later of the Go client.
	FormatV3
)

func (f Format) String() string {
	switch f {
	case FormatV2:
		return "V2"
	case FormatV3:
		return "V3"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// Where an envelope was found.
const (
	LocationMetadata        = "metadata"
	LocationInstructionFile = "instruction-file"
)

// Envelope describes how an object is encrypted, from its metadata (or
// instruction file), without decrypting anything.
type Envelope struct {
	Format     string // "V1", "V2" or "V3"
	ContentAlg string // "AES/GCM/NoPadding", "115" or "AES/CBC/PKCS5Padding"
	// WrapAlg is "kms+context", "AES/GCM", "RSA-OAEP-SHA1" or the legacy
	// "kms"; V3's compressed codes are given by name. Empty for V1, whose
	// wrapping is implied by the key (AES/ECB for an AES key).
	WrapAlg string
	// KMSKeyID is the KMS key that wrapped the data key, when known: after
	// Put and Get (as KMS reports it, an ARN), or from a legacy "kms"
	// envelope's kms_cmk_id. Inspect cannot know it for kms+context.
	KMSKeyID string
	// Context is the stored KMS encryption context (reserved keys included)
	// or, for the AES and RSA keyrings, the material description.
	Context       map[string]string
	Location      string // LocationMetadata or LocationInstructionFile
	PlaintextSize int64  // -1 when unknown
}

// envelope is a parsed and validated envelope.
type envelope struct {
	format     string
	cekAlg     string
	wrapAlg    string
	edk        []byte            // wrapped data key
	iv         []byte            // V1/V2 content IV, or the V3 message ID
	commitment []byte            // V3 key commitment
	context    map[string]string // never nil
	plainLen   int64             // -1 unknown
	location   string
}

func (e *envelope) public() Envelope {
	pub := Envelope{
		Format: e.format, ContentAlg: e.cekAlg, WrapAlg: e.wrapAlg,
		Context: maps.Clone(e.context), Location: e.location, PlaintextSize: e.plainLen,
	}
	if e.wrapAlg == wrapKMS {
		pub.KMSKeyID = e.context[contextCMKKey]
	}
	return pub
}

// authenticated reports whether the content cipher authenticates.
func (e *envelope) authenticated() bool { return e.cekAlg != cekCBC }

// normalizeMetadata lowercases metadata keys (HTTP header names are case
// insensitive); two keys that differ only in case are an error.
func normalizeMetadata(meta map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(meta))
	for k, v := range meta {
		lk := strings.ToLower(k)
		if _, dup := out[lk]; dup {
			return nil, fmt.Errorf("%w: metadata key %q appears twice", ErrTampered, lk)
		}
		out[lk] = v
	}
	return out, nil
}

var (
	v2OnlyKeys = []string{keyV2Key, keyWrapAlg, keyCEKAlg, keyTagLen}
	v3OnlyKeys = []string{keyV3CEK, keyV3Key, keyV3MatDesc, keyV3Context, keyV3Wrap, keyV3Commit, keyV3MsgID}
	// objectSideV3Keys stay in object metadata when V3 uses an instruction file.
	objectSideV3Keys = []string{keyV3CEK, keyV3Commit, keyV3MsgID}
)

func hasAny(m map[string]string, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func hasAll(m map[string]string, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// detectFormat classifies metadata by its mapkeys exactly as the S3EC
// specification says: V1 is x-amz-iv + x-amz-key, V2 is x-amz-iv +
// x-amz-key-v2, V3 is x-amz-3 + x-amz-d + x-amz-i. Keys exclusive to two
// formats never coexist: that is an error. "" means none matched (the
// caller then looks for an instruction file).
func detectFormat(m map[string]string) (string, error) {
	exclusive := 0
	for _, k := range []string{keyV1Key, keyV2Key, keyV3Key} {
		if _, ok := m[k]; ok {
			exclusive++
		}
	}
	if exclusive > 1 {
		return "", fmt.Errorf("%w: the envelope holds the data key of more than one format", ErrTampered)
	}
	switch {
	case hasAll(m, keyV1Key, keyIV):
		if hasAny(m, v2OnlyKeys...) || hasAny(m, v3OnlyKeys...) {
			return "", fmt.Errorf("%w: a V1 envelope with keys of another format", ErrTampered)
		}
		return "V1", nil
	case hasAll(m, keyV2Key, keyIV):
		if hasAny(m, v3OnlyKeys...) {
			return "", fmt.Errorf("%w: a V2 envelope with V3 keys", ErrTampered)
		}
		return "V2", nil
	case hasAll(m, keyV3Key, keyV3Commit, keyV3MsgID):
		if hasAny(m, v2OnlyKeys...) || hasAny(m, keyIV, keyMatDesc) {
			return "", fmt.Errorf("%w: a V3 envelope with V1 or V2 keys", ErrTampered)
		}
		return "V3", nil
	}
	return "", nil
}

// parseEnvelope validates and decodes the envelope of the given format
// from m (lowercase mapkeys, without the x-amz-meta- prefix).
func parseEnvelope(m map[string]string, format, location string) (*envelope, error) {
	e := &envelope{format: format, location: location, plainLen: -1}
	var err error
	if e.plainLen, err = parseLength(m[keyPlainLen]); err != nil {
		return nil, err
	}
	switch format {
	case "V1":
		e.cekAlg = cekCBC
		if e.edk, err = decodeBase64(keyV1Key, m[keyV1Key]); err != nil {
			return nil, err
		}
		if e.iv, err = decodeBase64Size(keyIV, m[keyIV], 16); err != nil {
			return nil, err
		}
		if e.context, err = requiredContext(m, format); err != nil {
			return nil, err
		}
	case "V2":
		cek, ok := m[keyCEKAlg]
		if !ok {
			return nil, fmt.Errorf("%w: V2 envelope without %s", ErrMissingMetadata, keyCEKAlg)
		}
		e.cekAlg = cek
		if e.wrapAlg, ok = m[keyWrapAlg]; !ok {
			return nil, fmt.Errorf("%w: V2 envelope without %s", ErrMissingMetadata, keyWrapAlg)
		}
		ivSize := gcmIVSize
		switch cek {
		case cekGCM:
			tl, ok := m[keyTagLen]
			if !ok {
				return nil, fmt.Errorf("%w: V2 AES/GCM envelope without %s", ErrMissingMetadata, keyTagLen)
			}
			if tl != "128" {
				return nil, fmt.Errorf("%w: %s is %q, AES/GCM/NoPadding has 128", ErrTampered, keyTagLen, tl)
			}
		case cekCBC:
			if _, ok := m[keyTagLen]; ok {
				return nil, fmt.Errorf("%w: %s with unauthenticated AES/CBC content", ErrTampered, keyTagLen)
			}
			ivSize = 16
		default:
			return nil, fmt.Errorf("%w: content algorithm %q", ErrUnsupportedFormat, cek)
		}
		switch e.wrapAlg {
		case wrapKMSEC, wrapKMS, wrapAES, wrapRSA:
		default:
			return nil, fmt.Errorf("%w: wrapping algorithm %q", ErrUnsupportedFormat, e.wrapAlg)
		}
		if cek == cekCBC && e.wrapAlg != wrapKMS {
			// Only the legacy KMS mode wrote AES/CBC content in a V2 envelope.
			return nil, fmt.Errorf("%w: AES/CBC content wrapped with %s", ErrTampered, e.wrapAlg)
		}
		if e.edk, err = decodeBase64(keyV2Key, m[keyV2Key]); err != nil {
			return nil, err
		}
		if e.iv, err = decodeBase64Size(keyIV, m[keyIV], ivSize); err != nil {
			return nil, err
		}
		if e.context, err = requiredContext(m, format); err != nil {
			return nil, err
		}
	case "V3":
		cek, ok := m[keyV3CEK]
		if !ok {
			return nil, fmt.Errorf("%w: V3 envelope without %s", ErrMissingMetadata, keyV3CEK)
		}
		if cek != cekV3 {
			return nil, fmt.Errorf("%w: V3 content algorithm suite %q", ErrUnsupportedFormat, cek)
		}
		e.cekAlg = cekV3
		code, ok := m[keyV3Wrap]
		if !ok {
			return nil, fmt.Errorf("%w: V3 envelope without %s", ErrMissingMetadata, keyV3Wrap)
		}
		if e.wrapAlg, ok = v3WrapNames[code]; !ok {
			return nil, fmt.Errorf("%w: V3 wrapping algorithm %q", ErrUnsupportedFormat, code)
		}
		// The context lives in x-amz-t for KMS and in x-amz-m for the raw
		// keyrings; the other key may be present, empty (AWS's Go v4 client
		// writes both), never with a value.
		ctxKey, otherKey := keyV3MatDesc, keyV3Context
		if e.wrapAlg == wrapKMSEC {
			ctxKey, otherKey = keyV3Context, keyV3MatDesc
		}
		if m[otherKey] != "" {
			return nil, fmt.Errorf("%w: %s is set for wrapping algorithm %s", ErrTampered, otherKey, e.wrapAlg)
		}
		if e.context, err = decodeContext(ctxKey, m[ctxKey]); err != nil {
			return nil, err
		}
		if e.edk, err = decodeBase64(keyV3Key, m[keyV3Key]); err != nil {
			return nil, err
		}
		if e.iv, err = decodeBase64Size(keyV3MsgID, m[keyV3MsgID], v3MessageIDSize); err != nil {
			return nil, err
		}
		if e.commitment, err = decodeBase64Size(keyV3Commit, m[keyV3Commit], v3CommitmentSize); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: format %q", ErrUnsupportedFormat, format)
	}
	if len(e.edk) == 0 {
		return nil, fmt.Errorf("%w: the wrapped data key is empty", ErrTampered)
	}
	return e, nil
}

// requiredContext decodes x-amz-matdesc, which V1 and V2 envelopes must have.
func requiredContext(m map[string]string, format string) (map[string]string, error) {
	v, ok := m[keyMatDesc]
	if !ok {
		return nil, fmt.Errorf("%w: %s envelope without %s", ErrMissingMetadata, format, keyMatDesc)
	}
	return decodeContext(keyMatDesc, v)
}

// parseLength reads x-amz-unencrypted-content-length: empty is unknown.
func parseLength(v string) (int64, error) {
	if v == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != v {
		return 0, fmt.Errorf("%w: %s is not a length", ErrTampered, keyPlainLen)
	}
	return n, nil
}

func decodeBase64(name, v string) ([]byte, error) {
	// encoding/base64 skips CR and LF, so a flipped bit could turn a
	// character into one and go unnoticed: reject them first.
	if strings.ContainsAny(v, "\r\n") {
		return nil, fmt.Errorf("%w: %s is not base64", ErrTampered, name)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not base64", ErrTampered, name)
	}
	return b, nil
}

func decodeBase64Size(name, v string, size int) ([]byte, error) {
	b, err := decodeBase64(name, v)
	if err != nil {
		return nil, err
	}
	if len(b) != size {
		return nil, fmt.Errorf("%w: %s has %d bytes, want %d", ErrTampered, name, len(b), size)
	}
	return b, nil
}

// decodeContext parses a material description or encryption context: a
// JSON object of strings, possibly in S3's RFC 2047 "double encoding".
// Empty means {}.
func decodeContext(name, v string) (map[string]string, error) {
	if v == "" {
		return map[string]string{}, nil
	}
	s, err := decodeS3Value(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTampered, name, err)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	var m map[string]string
	if err := dec.Decode(&m); err != nil || m == nil || !onlySpace(s[dec.InputOffset():]) {
		return nil, fmt.Errorf("%w: %s is not a JSON object of strings", ErrTampered, name)
	}
	return m, nil
}

// onlySpace reports whether s holds JSON whitespace only.
func onlySpace(s string) bool {
	return strings.Trim(s, " \t\r\n") == ""
}

// decodeS3Value undoes what S3 does to non-ASCII metadata: it returns
// values as RFC 2047 encoded words whose text is the UTF-8 bytes read as
// ISO-8859-1 and encoded again. Values without encoded words are returned
// as they are.
func decodeS3Value(v string) (string, error) {
	if !strings.Contains(v, "=?") {
		return v, nil
	}
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return "", err
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return s, nil // not double encoded
		}
		b = append(b, byte(r))
	}
	if !utf8.Valid(b) {
		return s, nil
	}
	return string(b), nil
}

// encodeContext writes a context as JSON with sorted keys and only ASCII
// (non-ASCII as \u escapes), so it passes through HTTP headers unchanged
// and decodes to the same map in every client.
func encodeContext(m map[string]string) string {
	if m == nil {
		m = map[string]string{}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return asciiJSON(raw)
}

func asciiJSON(raw []byte) string {
	var b strings.Builder
	for len(raw) > 0 {
		r, size := utf8.DecodeRune(raw)
		raw = raw[size:]
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	return b.String()
}

// buildEnvelope lays out the mapkeys of a new object. With an instruction
// file, V2 moves every key to the file and V3 keeps x-amz-c, x-amz-d and
// x-amz-i (and the plaintext length) in the object's metadata.
func buildEnvelope(e *envelope, instructionFile bool) (meta, file map[string]string) {
	all := map[string]string{}
	plainLen := ""
	if e.plainLen >= 0 {
		plainLen = strconv.FormatInt(e.plainLen, 10)
	}
	switch e.format {
	case "V2":
		all[keyV2Key] = base64.StdEncoding.EncodeToString(e.edk)
		all[keyIV] = base64.StdEncoding.EncodeToString(e.iv)
		all[keyMatDesc] = encodeContext(e.context)
		all[keyWrapAlg] = e.wrapAlg
		all[keyCEKAlg] = e.cekAlg
		all[keyTagLen] = "128"
		if plainLen != "" {
			all[keyPlainLen] = plainLen
		}
		if !instructionFile {
			return all, nil
		}
		return map[string]string{}, all
	case "V3":
		meta = map[string]string{
			keyV3CEK:    e.cekAlg,
			keyV3Commit: base64.StdEncoding.EncodeToString(e.commitment),
			keyV3MsgID:  base64.StdEncoding.EncodeToString(e.iv),
		}
		if plainLen != "" {
			meta[keyPlainLen] = plainLen
		}
		file = map[string]string{
			keyV3Key:  base64.StdEncoding.EncodeToString(e.edk),
			keyV3Wrap: v3WrapCode(e.wrapAlg),
		}
		if e.wrapAlg == wrapKMSEC {
			file[keyV3Context] = encodeContext(e.context)
		} else {
			file[keyV3MatDesc] = encodeContext(e.context)
		}
		if !instructionFile {
			maps.Copy(meta, file)
			return meta, nil
		}
		return meta, file
	}
	panic("cse: building an envelope of format " + e.format)
}

// encodeInstructionFile serializes mapkeys as the instruction file's body:
// one JSON object, keys sorted, ASCII only.
func encodeInstructionFile(m map[string]string) []byte {
	raw, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return []byte(asciiJSON(raw))
}

// instructionFileKeys are the keys an instruction file may hold: the
// mapkeys of every format, in lowercase as every client writes them (JSON
// keys are case sensitive). Anything else is refused, so that a flipped bit
// in a key's name cannot silently drop or rename that key.
var instructionFileKeys = map[string]bool{
	keyV1Key: true, keyV2Key: true, keyIV: true, keyMatDesc: true, keyWrapAlg: true, keyCEKAlg: true,
	keyTagLen: true, keyPlainLen: true, keyV3CEK: true, keyV3Key: true, keyV3MatDesc: true,
	keyV3Context: true, keyV3Wrap: true, keyV3Commit: true, keyV3MsgID: true,
}

// parseInstructionFile reads an instruction file: a JSON object of
// mapkeys (instructionFileKeys) whose values are strings; x-amz-tag-len
// and x-amz-unencrypted-content-length may also be integers (some clients
// write numbers), and null means absent.
func parseInstructionFile(body []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil || raw == nil || !onlySpace(string(body[dec.InputOffset():])) {
		return nil, fmt.Errorf("%w: the instruction file is not a JSON object", ErrTampered)
	}
	out := make(map[string]string, len(raw))
	for lk, v := range raw {
		if !instructionFileKeys[lk] {
			return nil, fmt.Errorf("%w: the instruction file holds the unknown key %q", ErrUnsupportedFormat, lk)
		}
		switch v := v.(type) {
		case nil:
			continue
		case string:
			out[lk] = v
		case json.Number:
			if lk != keyTagLen && lk != keyPlainLen {
				return nil, fmt.Errorf("%w: instruction file key %q is a number", ErrTampered, lk)
			}
			n, err := strconv.ParseInt(v.String(), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%w: instruction file key %q is not an integer", ErrTampered, lk)
			}
			out[lk] = strconv.FormatInt(n, 10)
		default:
			return nil, fmt.Errorf("%w: instruction file key %q is not a string", ErrTampered, lk)
		}
	}
	return out, nil
}

// mergeInstructionFile combines an instruction file with the object's
// metadata: V3 keeps x-amz-c, x-amz-d and x-amz-i in the metadata and never
// in the file; the plaintext length may be in either, not differently.
func mergeInstructionFile(meta, file map[string]string) (map[string]string, error) {
	merged := maps.Clone(file)
	for _, k := range objectSideV3Keys {
		if _, ok := file[k]; ok {
			return nil, fmt.Errorf("%w: the instruction file holds %s, which belongs in the object's metadata", ErrTampered, k)
		}
		if v, ok := meta[k]; ok {
			merged[k] = v
		}
	}
	if v, ok := meta[keyPlainLen]; ok {
		if fv, ok := file[keyPlainLen]; ok && fv != v {
			return nil, fmt.Errorf("%w: the object and its instruction file disagree on the plaintext length", ErrTampered)
		}
		merged[keyPlainLen] = v
	}
	return merged, nil
}

// partialEnvelope reports envelope keys in object metadata that no format
// matched and that an instruction file cannot complete.
func partialEnvelope(meta map[string]string) bool {
	return hasAny(meta, keyV1Key, keyV2Key, keyIV, keyMatDesc, keyWrapAlg, keyCEKAlg, keyTagLen,
		keyV3Key, keyV3MatDesc, keyV3Context, keyV3Wrap)
}
