package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// webFiles is the single-page application, embedded at build time: no
// build step, nothing loaded from the internet.
//
//go:embed web
var webFiles embed.FS

// contentSecurityPolicy lets the application load only its own files.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; " +
	"script-src 'self'; connect-src 'self'; frame-ancestors 'none'"

const indexFile = "index.html"

// assets are the embedded files, read once, by their path under web/.
type assets struct {
	files map[string]asset
}

type asset struct {
	name        string
	data        []byte
	etag        string
	contentType string
}

// loadAssets reads every file under dir of fsys.
func loadAssets(fsys fs.FS, dir string) (*assets, error) {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, err
	}
	a := &assets{files: make(map[string]asset)}
	err = fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.files[name] = asset{
			name:        name,
			data:        data,
			etag:        `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`,
			contentType: ctype,
		}
		return nil
	})
	return a, err
}

// serve answers GET and HEAD for a path under Prefix: the file it names,
// else index.html (the application routes on the client).
func (a *assets) serve(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return methodNotAllowed(http.MethodGet, http.MethodHead)
	}
	name := strings.TrimPrefix(r.URL.Path, Prefix)
	f, ok := a.files[name]
	if !ok {
		if f, ok = a.files[indexFile]; !ok {
			return errNotFound
		}
	}
	h := w.Header()
	setCommonHeaders(h)
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Content-Type", f.contentType)
	if f.name == indexFile {
		h.Set("Cache-Control", "no-store")
	} else {
		h.Set("Cache-Control", "no-cache") // revalidate: names carry no version
		h.Set("ETag", f.etag)
	}
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.data))
	return nil
}
