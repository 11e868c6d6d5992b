package s3api

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"github.com/cofferlabs/coffer"
)

const (
	hdrContentSHA256   = "x-amz-content-sha256"
	hdrTrailer         = "x-amz-trailer"
	hdrSDKChecksumAlgo = "x-amz-sdk-checksum-algorithm"
)

// isAWSChunked reports whether the body uses aws-chunked encoding, whose
// length is x-amz-decoded-content-length rather than Content-Length.
func isAWSChunked(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get(hdrContentSHA256), "STREAMING-")
}

// uploadBody prepares a streamed object or part body: the reader to hand
// the Service and the checks the Service must apply to it.
func uploadBody(r *http.Request, req *request, maxSize int64) (io.Reader, coffer.BodyCheck, error) {
	check := coffer.BodyCheck{Size: r.ContentLength, SHA256: req.auth.PayloadSHA256}
	if isAWSChunked(r) {
		check.Size = req.auth.DecodedLength
	}
	if check.Size < 0 {
		return nil, check, newError(codeMissingContentLength, "")
	}
	if check.Size > maxSize {
		return nil, check, newError(codeEntityTooLarge, "")
	}
	var err error
	if check.ContentMD5, err = contentMD5(r.Header); err != nil {
		return nil, check, err
	}
	if err := bodyChecksum(r, req, &check); err != nil {
		return nil, check, err
	}
	return req.auth.Body, check, nil
}

// contentMD5 decodes a Content-MD5 header; nil when absent.
func contentMD5(h http.Header) ([]byte, error) {
	values := h.Values("Content-MD5")
	if len(values) == 0 {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(values[0])
	if err != nil || len(sum) != md5.Size || len(values) > 1 {
		return nil, newError(codeInvalidDigest, "")
	}
	return sum, nil
}

// bodyChecksum fills the additional checksum of check from a header
// (x-amz-checksum-<alg>) or a trailer named by x-amz-trailer, and makes
// sure x-amz-sdk-checksum-algorithm agrees with it.
func bodyChecksum(r *http.Request, req *request, check *coffer.BodyCheck) error {
	alg, value, err := checksumFromHeaders(r.Header)
	if err != nil {
		return err
	}
	check.Checksum, check.ChecksumValue = alg, value
	trailerAlg, trailerName, err := checksumTrailer(r.Header)
	if err != nil {
		return err
	}
	if trailerAlg != "" {
		if alg != "" {
			return newError(codeInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		trailer := req.auth.Trailer
		check.Checksum = trailerAlg
		check.ChecksumTrailer = func() string {
			if trailer == nil {
				return ""
			}
			return trailer(trailerName)
		}
	}
	if sdk := r.Header.Get(hdrSDKChecksumAlgo); sdk != "" {
		want, err := parseChecksumAlgorithm(hdrSDKChecksumAlgo, sdk)
		if err != nil {
			return err
		}
		if check.Checksum == "" {
			return newError(codeInvalidRequest, "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
		if want != check.Checksum {
			return argumentError(codeInvalidRequest, hdrSDKChecksumAlgo, sdk, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	return nil
}

// checksumTrailer finds the checksum named in x-amz-trailer, if any.
func checksumTrailer(h http.Header) (coffer.ChecksumAlgorithm, string, error) {
	declared := h.Get(hdrTrailer)
	if declared == "" {
		return "", "", nil
	}
	var alg coffer.ChecksumAlgorithm
	var name string
	for _, n := range strings.Split(declared, ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		suffix, ok := strings.CutPrefix(n, "x-amz-checksum-")
		if !ok {
			continue
		}
		a, err := parseChecksumAlgorithm(hdrTrailer, suffix)
		if err != nil {
			return "", "", err
		}
		if alg != "" {
			return "", "", newError(codeInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		alg, name = a, n
	}
	return alg, name, nil
}

// readSmallBody reads a route's small document whole, within the route's
// limit, and verifies its signed SHA-256 and Content-MD5. Additional
// checksums are not checked here: on CompleteMultipartUpload they describe
// the object, not the document (see verifyBodyChecksum).
func readSmallBody(r *http.Request, req *request) ([]byte, error) {
	limit := int64(req.route.body)
	body, err := io.ReadAll(io.LimitReader(req.auth.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, newError(codeMaxMessageLengthExceeded, "")
	}
	if want := req.auth.PayloadSHA256; want != "" {
		got := sha256.Sum256(body)
		if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(got[:])), []byte(strings.ToLower(want))) != 1 {
			return nil, newError(codeSHA256Mismatch, "")
		}
	}
	sum, err := contentMD5(r.Header)
	if err != nil {
		return nil, err
	}
	if sum != nil {
		got := md5.Sum(body)
		if !bytes.Equal(got[:], sum) {
			return nil, newError(codeBadDigest, "")
		}
	}
	return body, nil
}

// verifyBodyChecksum checks a small document against the additional
// checksum sent for it in a header or trailer, if any.
func verifyBodyChecksum(r *http.Request, req *request, body []byte) error {
	var check coffer.BodyCheck
	if err := bodyChecksum(r, req, &check); err != nil {
		return err
	}
	if check.Checksum == "" {
		return nil
	}
	want := check.ChecksumValue
	if check.ChecksumTrailer != nil {
		want = check.ChecksumTrailer()
	}
	hash := newChecksumHash(check.Checksum)
	hash.Write(body)
	if base64.StdEncoding.EncodeToString(hash.Sum(nil)) != want {
		return newError(codeBadDigest, "The "+string(check.Checksum)+" you specified did not match the calculated checksum.")
	}
	return nil
}

// hasIntegrityHeader reports whether a request carries Content-MD5 or an
// additional checksum, which some operations require.
func hasIntegrityHeader(h http.Header) bool {
	if h.Get("Content-MD5") != "" || h.Get(hdrTrailer) != "" {
		return true
	}
	for _, alg := range checksumAlgorithms {
		if h.Get(checksumHeader(alg)) != "" {
			return true
		}
	}
	return false
}
