package s3api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/cofferlabs/coffer"
)

// responseOverrides are the query parameters that set a GET's response
// headers, and the headers they set.
var responseOverrides = []struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// readOptions reads the GetOptions common to GET and HEAD.
func readOptions(r *http.Request) (coffer.GetOptions, error) {
	var opts coffer.GetOptions
	if err := rejectSSEHeader(r.Header); err != nil {
		return opts, err
	}
	key, err := readCustomerKey(r, objectSSEC)
	if err != nil {
		return opts, err
	}
	opts.CustomerKey = key
	opts.Conditions = conditions(r.Header, "")
	opts.Range = parseRange(r.Header.Get("Range"))
	opts.WantChecksum = r.Header.Get("x-amz-checksum-mode") == "ENABLED"
	q := r.URL.Query()
	if q.Has("partNumber") {
		n, err := partNumber(q.Get("partNumber"))
		if err != nil {
			return opts, err
		}
		if opts.Range != nil {
			return opts, newError(codeInvalidRequest, "Cannot specify both Range header and partNumber query parameter")
		}
		opts.PartNumber = n
	}
	return opts, onlyNullVersion(q.Get("versionId"))
}

// partNumber parses a partNumber query parameter.
func partNumber(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > coffer.MaxPartNumber {
		return 0, invalidPartNumber(v)
	}
	return n, nil
}

func (s *server) getObject(w http.ResponseWriter, r *http.Request, req *request) error {
	opts, err := readOptions(r)
	if err != nil {
		return err
	}
	if err := checkOverrides(r, req); err != nil {
		return err
	}
	info, obj, err := s.svc.GetObject(r.Context(), req.bucket, req.key, opts)
	if err != nil {
		return s.readFailed(w, r, req, opts, info, err)
	}
	defer obj.Close()

	// Decrypt the first block before committing to a status: data that
	// fails authentication at once still gets a proper error response.
	buf := make([]byte, 64<<10)
	n, readErr := io.ReadFull(obj, buf)
	if readErr == io.EOF || readErr == io.ErrUnexpectedEOF {
		readErr = io.EOF
	} else if readErr != nil {
		return readErr
	}
	setObjectHeaders(w.Header(), info, opts, obj.Offset, obj.Length)
	applyOverrides(w.Header(), r)
	status := http.StatusOK
	if opts.Range != nil || opts.PartNumber > 0 {
		status = http.StatusPartialContent
	}
	w.WriteHeader(status)
	return streamBody(w, obj, buf, n, readErr)
}

// streamBody sends buf[:n] and then the rest of src. A read failure after
// the first byte aborts the response; a write failure means the client
// left, which needs no answer.
func streamBody(w io.Writer, src io.Reader, buf []byte, n int, readErr error) error {
	for {
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return nil
			}
		}
		switch {
		case readErr == io.EOF:
			return nil
		case readErr != nil:
			return &abortError{cause: readErr}
		}
		n, readErr = src.Read(buf)
	}
}

func (s *server) headObject(w http.ResponseWriter, r *http.Request, req *request) error {
	opts, err := readOptions(r)
	if err != nil {
		return err
	}
	if err := checkOverrides(r, req); err != nil {
		return err
	}
	info, err := s.svc.HeadObject(r.Context(), req.bucket, req.key, opts)
	if err != nil {
		return s.readFailed(w, r, req, opts, info, err)
	}
	offset, length := int64(0), info.Size
	if opts.Range != nil {
		if offset, length, err = opts.Range.Resolve(info.Size); err != nil {
			return s.readFailed(w, r, req, opts, info, err)
		}
	} else if opts.PartNumber > 0 {
		if offset, length, err = partExtent(info, opts.PartNumber); err != nil {
			return err
		}
	}
	setObjectHeaders(w.Header(), info, opts, offset, length)
	applyOverrides(w.Header(), r)
	status := http.StatusOK
	if opts.Range != nil || opts.PartNumber > 0 {
		status = http.StatusPartialContent
	}
	w.WriteHeader(status)
	return nil
}

// partExtent locates one part of a multipart object (or part 1 of a
// single-part object, which is the whole of it).
func partExtent(info coffer.ObjectInfo, part int) (offset, length int64, err error) {
	if info.PartsCount == 0 {
		if part == 1 {
			return 0, info.Size, nil
		}
		return 0, 0, coffer.ErrInvalidPartNumber
	}
	for _, p := range info.Parts {
		if p.Number == part {
			return offset, p.Size, nil
		}
		offset += p.Size
	}
	return 0, 0, coffer.ErrInvalidPartNumber
}

// readFailed adds what S3 sends with a failed read: Content-Range for an
// unsatisfiable range, validators for Not Modified. The Service may return
// no ObjectInfo with the error; then a HEAD (no decryption) supplies it.
func (s *server) readFailed(w http.ResponseWriter, r *http.Request, req *request, opts coffer.GetOptions, info coffer.ObjectInfo, err error) error {
	rangeFailed := errors.Is(err, coffer.ErrInvalidRange) && opts.Range != nil
	notModified := errors.Is(err, coffer.ErrNotModified)
	if !rangeFailed && !notModified {
		return err
	}
	if info.ETag == "" {
		head, herr := s.svc.HeadObject(r.Context(), req.bucket, req.key, coffer.GetOptions{CustomerKey: opts.CustomerKey})
		if herr != nil {
			return err
		}
		info = head
	}
	h := w.Header()
	if rangeFailed {
		h.Set("Content-Range", "bytes */"+strconv.FormatInt(info.Size, 10))
	} else {
		h.Set("ETag", quoteETag(info.ETag))
		h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	}
	return err
}

// setObjectHeaders writes the headers of a GET or HEAD answer for the
// bytes [offset, offset+length) of the object.
func setObjectHeaders(h http.Header, info coffer.ObjectInfo, opts coffer.GetOptions, offset, length int64) {
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	h.Set("Accept-Ranges", "bytes")
	if opts.Range != nil || opts.PartNumber > 0 {
		end := offset + length - 1
		if length == 0 {
			end = offset
		}
		h.Set("Content-Range", "bytes "+strconv.FormatInt(offset, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(info.Size, 10))
	}
	h.Set("ETag", quoteETag(info.ETag))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	contentType := info.Meta.ContentType
	if contentType == "" {
		contentType = "binary/octet-stream"
	}
	h.Set("Content-Type", contentType)
	for header, value := range map[string]string{
		"Content-Encoding":                info.Meta.ContentEncoding,
		"Content-Disposition":             info.Meta.ContentDisposition,
		"Content-Language":                info.Meta.ContentLanguage,
		"Cache-Control":                   info.Meta.CacheControl,
		"Expires":                         info.Meta.Expires,
		"x-amz-website-redirect-location": info.Meta.WebsiteRedirect,
		"x-amz-storage-class":             info.Meta.StorageClass,
	} {
		if value != "" {
			h.Set(header, value)
		}
	}
	for name, value := range info.Meta.User {
		h[userMetaPrefix+name] = []string{value} // not canonicalised: names keep their case
	}
	if n := tagCount(info.Meta.Tagging); n > 0 {
		h.Set("x-amz-tagging-count", strconv.Itoa(n))
	}
	setEncryptionHeaders(h, info.Encryption)
	if opts.PartNumber > 0 && info.PartsCount > 0 {
		h.Set("x-amz-mp-parts-count", strconv.Itoa(info.PartsCount))
	}
	if opts.WantChecksum && opts.Range == nil && opts.PartNumber == 0 {
		setChecksumHeaders(h, info.Checksum)
	}
}

// checkOverrides refuses response-* parameters on anonymous requests, as
// S3 does.
func checkOverrides(r *http.Request, req *request) error {
	if req.auth != nil && !req.auth.Anonymous {
		return nil
	}
	q := r.URL.Query()
	for _, o := range responseOverrides {
		if q.Has(o.param) {
			return newError(codeInvalidRequest, "Request specific response headers cannot be used for anonymous GET requests.")
		}
	}
	return nil
}

func applyOverrides(h http.Header, r *http.Request) {
	q := r.URL.Query()
	for _, o := range responseOverrides {
		if q.Has(o.param) {
			h.Set(o.header, q.Get(o.param))
		}
	}
}
