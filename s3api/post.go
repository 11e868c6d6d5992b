package s3api

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/postpolicy"
)

// maxFormFields bounds the form fields before the file, all together.
const maxFormFields = 1 << 20

// postObject stores the file of a browser form upload (POST Object). The
// fields before the file are read (bounded), the policy is verified and
// checked, and the file is streamed into the Service without buffering;
// its length is checked against the policy before anything is committed.
func (s *server) postObject(w http.ResponseWriter, r *http.Request, req *request) error {
	form, err := readForm(r, req)
	if err != nil {
		return err
	}
	defer form.file.Close()
	policy, err := s.verifyForm(req, form.fields)
	if err != nil {
		return err
	}
	r = r.WithContext(withCaller(r.Context(), req))
	expandFilename(form.fields, form.filename)
	form.fields["bucket"] = req.bucket
	if policy != nil {
		if err := policy.Check(form.fields, -1); err != nil {
			return hideCustomerKey(err)
		}
	}
	key := form.fields["key"]
	if err := coffer.ValidateObjectKey(key); err != nil {
		return err
	}
	req.key = key

	header := formHeader(form.fields)
	if err := s.authorizeForm(r, req, key, header); err != nil {
		return err
	}
	opts, err := putOptions((&http.Request{Header: header, TLS: r.TLS}).WithContext(r.Context()))
	if err != nil {
		return err
	}
	if opts.Meta.ContentType == "" {
		opts.Meta.ContentType = form.fileType
	}
	opts.Check = coffer.BodyCheck{Size: -1}
	if opts.Check.ContentMD5, err = contentMD5(header); err != nil {
		return err
	}
	if opts.Check.Checksum, opts.Check.ChecksumValue, err = checksumFromHeaders(header); err != nil {
		return err
	}
	body := &formFile{file: form.file, policy: policy}
	info, err := s.svc.PutObject(r.Context(), req.bucket, key, body, opts)
	if err != nil {
		return err
	}
	return s.postResponse(w, r, req, form.fields, info)
}

// conditionFailed starts the message of a failed policy condition, which
// quotes the condition: ["eq", "$field", "value the policy expects"].
const conditionFailed = "Invalid according to Policy: Policy Condition failed: "

// hideCustomerKey keeps an SSE-C key, or its MD5, out of a failed
// condition's quote: the quote reaches the client, the audit trail and the
// log, and a policy that pins the key holds it as the expected value.
func hideCustomerKey(err error) error {
	var failed *postpolicy.Error
	if !errors.As(err, &failed) {
		return err
	}
	text, ok := strings.CutPrefix(failed.Message, conditionFailed)
	if !ok || !strings.Contains(strings.ToLower(text), hdrSSECKey) {
		return err
	}
	quote := conditionFailed + `["eq", "$` + hdrSSECKey + `", "*****"]`
	var items []string
	if json.Unmarshal([]byte(text), &items) == nil && len(items) == 3 {
		op, _ := json.Marshal(items[0])
		field, _ := json.Marshal(items[1])
		quote = conditionFailed + "[" + string(op) + ", " + string(field) + `, "*****"]`
	}
	return &postpolicy.Error{Err: failed.Err, Message: quote}
}

// postForm is a parsed form: the fields before the file (lower-case names,
// repeated fields joined with ','), and the file part, still unread.
type postForm struct {
	fields   map[string]string
	file     *multipart.Part
	filename string
	fileType string
}

func readForm(r *http.Request, req *request) (*postForm, error) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, newError(codeMalformedPOSTRequest, "")
	}
	reader := multipart.NewReader(req.auth.Body, params["boundary"])
	form := &postForm{fields: make(map[string]string)}
	budget := int64(maxFormFields)
	for {
		part, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, argumentError(codeInvalidArgument, "file", "", "POST requires exactly one file upload per request.")
		}
		if err != nil {
			return nil, newError(codeMalformedPOSTRequest, "")
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			form.file, form.fileType = part, part.Header.Get("Content-Type")
			form.filename = baseName(part.FileName())
			return form, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, budget+1))
		part.Close()
		if err != nil {
			return nil, newError(codeMalformedPOSTRequest, "")
		}
		if budget -= int64(len(value)); budget < 0 {
			return nil, newError(codeMaxPostPreDataLengthExceeded, "")
		}
		if name == "" {
			continue
		}
		if prev, dup := form.fields[name]; dup {
			form.fields[name] = prev + "," + string(value)
		} else {
			form.fields[name] = string(value)
		}
	}
}

// baseName is the file name without the client's directories, as S3 uses
// it for ${filename}.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		return name[i+1:]
	}
	return name
}

// expandFilename substitutes ${filename} in every field, before the policy
// is checked, as S3 does.
func expandFilename(fields map[string]string, filename string) {
	for name, value := range fields {
		fields[name] = strings.ReplaceAll(value, "${filename}", filename)
	}
}

// formHeader presents the fields as the request headers a PUT would carry,
// so the same parsers read metadata, encryption and checksums.
func formHeader(fields map[string]string) http.Header {
	h := make(http.Header, len(fields))
	for name, value := range fields {
		h.Set(name, value)
	}
	return h
}

// authorizeForm decides a form upload once its key is known, with the
// form's fields as the request's headers.
func (s *server) authorizeForm(r *http.Request, req *request, key string, header http.Header) error {
	var conditions map[string][]string
	if s.authorizer != nil {
		conditions = s.conditions(r, req, header)
	}
	return s.authorizeOn(r, req, req.route.action, req.bucket, key, conditions)
}

// verifyForm authenticates the form with its policy. A form without one
// is an anonymous upload; postObject authorizes either once it knows the
// object key.
func (s *server) verifyForm(req *request, fields map[string]string) (*postpolicy.Policy, error) {
	now := time.Now
	if s.verifier.Now != nil {
		now = s.verifier.Now
	}
	policy, err := postpolicy.Verify(fields, s.verifier.Secret, now())
	if errors.Is(err, postpolicy.ErrNoPolicy) {
		req.principal = coffer.Principal{Anonymous: true}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	req.accessKey = policy.AccessKey
	if req.principal, err = s.principalFor(policy.AccessKey); err != nil {
		return nil, err
	}
	req.info.SignatureVersion = 4 // form policies are signed with SigV4
	return policy, nil
}

// formFile streams the file and holds it to the policy's
// content-length-range: reading past the largest allowed size, or reaching
// EOF outside the range, fails the read, so the Service stores nothing.
type formFile struct {
	file   io.Reader
	policy *postpolicy.Policy
	n      int64
}

func (f *formFile) Read(p []byte) (int, error) {
	n, err := f.file.Read(p)
	f.n += int64(n)
	if f.n > coffer.MaxSinglePutSize {
		return n, coffer.ErrEntityTooLarge
	}
	if f.policy == nil {
		return n, err
	}
	if limit, bounded := f.policy.MaxLength(); bounded && f.n > limit {
		return n, f.policy.CheckLength(f.n)
	}
	if err == io.EOF {
		if cerr := f.policy.CheckLength(f.n); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string
	Bucket   string
	Key      string
	ETag     string
}

// postResponse answers as success_action_redirect or
// success_action_status ask (204 by default).
func (s *server) postResponse(w http.ResponseWriter, r *http.Request, req *request, fields map[string]string, info coffer.ObjectInfo) error {
	h := w.Header()
	location := objectLocation(r, req)
	h.Set("ETag", quoteETag(info.ETag))
	h.Set("Location", location)
	setEncryptionHeaders(h, info.Encryption)
	redirect := fields["success_action_redirect"]
	if redirect == "" {
		redirect = fields["redirect"]
	}
	if target, err := url.Parse(redirect); redirect != "" && err == nil && target.IsAbs() {
		q := target.Query()
		q.Set("bucket", req.bucket)
		q.Set("key", req.key)
		q.Set("etag", quoteETag(info.ETag))
		target.RawQuery = q.Encode()
		h.Set("Location", target.String())
		w.WriteHeader(http.StatusSeeOther)
		return nil
	}
	switch fields["success_action_status"] {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		return writeXML(w, http.StatusCreated, postResponse{Location: location, Bucket: req.bucket, Key: req.key, ETag: quoteETag(info.ETag)})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}
