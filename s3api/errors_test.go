package s3api

import (
	"encoding/xml"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/sigv4"
)

// domainPackages are the packages whose sentinel errors reach s3api, by
// the name errors.go refers to them with and their directory.
var domainPackages = map[string]string{
	"coffer":     "..",
	"sigv4":      "../sigv4",
	"postpolicy": "../postpolicy",
}

// exportedSentinels lists the exported package-level Err* variables of the
// package in dir, read from its (non-test) sources.
func exportedSentinels(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				for _, name := range spec.(*ast.ValueSpec).Names {
					if strings.HasPrefix(name.Name, "Err") && name.IsExported() {
						names = append(names, name.Name)
					}
				}
			}
		}
	}
	return names
}

// ruleTargets lists the pkg.Err* expressions errorRules names, read from
// errors.go itself so the check cannot drift from the table.
func ruleTargets(t *testing.T) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	targets := make(map[string]bool)
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok || len(spec.Names) != 1 || spec.Names[0].Name != "errorRules" {
			return true
		}
		for _, elt := range spec.Values[0].(*ast.CompositeLit).Elts {
			row := elt.(*ast.CompositeLit)
			if sel, ok := row.Elts[0].(*ast.SelectorExpr); ok {
				targets[sel.X.(*ast.Ident).Name+"."+sel.Sel.Name] = true
			}
		}
		return false
	})
	return targets
}

func TestEveryDomainErrorHasARule(t *testing.T) {
	targets := ruleTargets(t)
	sentinelRows := 0
	for _, rule := range errorRules {
		if _, ok := rule.target.(kmsCode); !ok {
			sentinelRows++
		}
	}
	if len(targets) != sentinelRows {
		t.Fatalf("errorRules has %d sentinel rows but %d distinct pkg.Err targets", sentinelRows, len(targets))
	}
	for pkg, dir := range domainPackages {
		sentinels := exportedSentinels(t, dir)
		if len(sentinels) == 0 {
			t.Errorf("package %s (%s) exports no Err* sentinels: is the path right?", pkg, dir)
		}
		for _, name := range sentinels {
			if !targets[pkg+"."+name] {
				t.Errorf("%s.%s has no row in errorRules", pkg, name)
			}
		}
	}
}

func TestErrorRulesResolveToTheirCode(t *testing.T) {
	for _, rule := range errorRules {
		if _, ok := errorCodes[rule.code]; !ok {
			t.Errorf("rule for %v names unknown code %s", rule.target, rule.code)
		}
		var wrapped error = fmt.Errorf("context: %w", rule.target)
		if code, ok := rule.target.(kmsCode); ok {
			wrapped = fmt.Errorf("context: %w", &coffer.KMSError{Code: string(code), Message: "m"})
		}
		if got := toAPIError(wrapped, nil).Code; got != rule.code {
			t.Errorf("%v resolves to %s, want %s (an earlier row shadows it)", rule.target, got, rule.code)
		}
	}
}

func TestErrorCodesHaveStatusAndMessage(t *testing.T) {
	for code, info := range errorCodes {
		if info.Status < 300 || info.Status > 599 || info.Message == "" {
			t.Errorf("%s: status %d message %q", code, info.Status, info.Message)
		}
	}
}

func TestToAPIError(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		body     *countingBody
		code     errorCode
		argName  string
		argValue string
	}{
		{name: "sentinel", err: coffer.ErrNoSuchKey, code: codeNoSuchKey},
		{name: "wrapped sentinel", err: fmt.Errorf("get a/b: %w", coffer.ErrNoSuchBucket), code: codeNoSuchBucket},
		{name: "corrupt data wins over what it wraps", err: fmt.Errorf("%w: %w", coffer.ErrCorruptData, coffer.ErrNoSuchKey), code: codeInternalError},
		{name: "argument error", err: &coffer.ArgumentError{Name: "x-amz-foo", Value: "bar", Message: "bad"}, code: codeInvalidArgument, argName: "x-amz-foo", argValue: "bar"},
		{name: "argument error with code", err: &coffer.ArgumentError{Code: "InvalidStorageClass", Name: "x-amz-storage-class", Value: "X", Message: "m"}, code: codeInvalidStorageClass, argName: "x-amz-storage-class", argValue: "X"},
		{name: "argument error with unknown code", err: &coffer.ArgumentError{Code: "Bogus", Name: "n", Message: "m"}, code: codeInvalidArgument, argName: "n"},
		{name: "argument error cannot claim a 5xx", err: &coffer.ArgumentError{Code: "InternalError", Name: "n", Message: "m"}, code: codeInvalidArgument, argName: "n"},
		{name: "api error passes through", err: fmt.Errorf("x: %w", newError(codeMalformedXML, "")), code: codeMalformedXML},
		{name: "signature error type", err: &sigv4.SignatureError{AccessKey: "AK"}, code: codeSignatureDoesNotMatch},
		{name: "max bytes", err: &http.MaxBytesError{Limit: 10}, code: codeMaxMessageLengthExceeded},
		{name: "unknown error", err: errors.New("disk on fire"), code: codeInternalError},
		{name: "client went away", err: errors.New("read failed"), body: &countingBody{readErr: errors.New("connection reset")}, code: codeRequestTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := toAPIError(tc.err, tc.body)
			if got.Code != tc.code || got.ArgName != tc.argName || got.ArgValue != tc.argValue {
				t.Errorf("got %s %q=%q, want %s %q=%q", got.Code, got.ArgName, got.ArgValue, tc.code, tc.argName, tc.argValue)
			}
		})
	}
}

func TestRenderError(t *testing.T) {
	s := New(Config{}).(*server)
	cases := []struct {
		name     string
		method   string
		err      error
		status   int
		code     errorCode
		message  string
		argument string
		noBody   bool
	}{
		{name: "not found", method: "GET", err: coffer.ErrNoSuchKey, status: 404, code: codeNoSuchKey, message: "The specified key does not exist."},
		{name: "head has no body", method: "HEAD", err: coffer.ErrNoSuchKey, status: 404, noBody: true},
		{name: "not modified has no body", method: "GET", err: coffer.ErrNotModified, status: 304, noBody: true},
		{name: "internal cause hidden", method: "GET", err: errors.New("secret path /var/x key=abc"), status: 500, code: codeInternalError, message: "We encountered an internal error. Please try again."},
		{name: "argument", method: "PUT", err: argumentError(codeInvalidArgument, "x-amz-server-side-encryption", "aes:kms", msgSSEUnsupported), status: 400, code: codeInvalidArgument, message: msgSSEUnsupported, argument: "x-amz-server-side-encryption"},
		{name: "rule message", method: "PUT", err: coffer.ErrCopyToItself, status: 400, code: codeInvalidRequest, message: errorRules[indexOfRule(coffer.ErrCopyToItself)].message},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := &responseRecorder{ResponseWriter: rec}
			w.Header().Set("x-amz-id-2", "host-id")
			w.Header().Set("ETag", `"kept"`)
			w.Header().Set("Content-Type", "dropped/type")
			r := httptest.NewRequest(tc.method, "/bucket/key", nil)
			req := &request{id: "REQ1", body: &countingBody{}}
			s.renderError(w, r, req, tc.err)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.noBody {
				if rec.Body.Len() != 0 {
					t.Fatalf("unexpected body %q", rec.Body)
				}
				return
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Fatalf("internal cause leaked: %s", rec.Body)
			}
			if !strings.HasPrefix(rec.Body.String(), xml.Header) {
				t.Errorf("no XML declaration: %q", rec.Body)
			}
			var doc struct {
				Code, Message, ArgumentName, Resource, RequestId, HostId string
			}
			if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Code != string(tc.code) || doc.Message != tc.message || doc.ArgumentName != tc.argument {
				t.Errorf("got %+v", doc)
			}
			if doc.Resource != "/bucket/key" || doc.RequestId != "REQ1" || doc.HostId != "host-id" {
				t.Errorf("resource/ids: %+v", doc)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/xml" {
				t.Errorf("Content-Type %q", ct)
			}
			if rec.Header().Get("ETag") != `"kept"` {
				t.Errorf("validators must survive for 304/412 answers")
			}
			if tc.status >= 500 && req.cause == nil {
				t.Errorf("5xx cause not kept for the log")
			}
		})
	}
}

func indexOfRule(target error) int {
	for i, r := range errorRules {
		if r.target == target {
			return i
		}
	}
	return -1
}

// TestPanicBecomesInternalError: a handler or Service that panics gets the
// request a 500 with the generic message, and the log the stack.
func TestPanicBecomesInternalError(t *testing.T) {
	logs := &lockedBuffer{}
	handler := New(Config{Service: cannedService{}, Verifier: testVerifier(),
		Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	rec := httptest.NewRecorder()
	// cannedService does not implement DeleteBucket: the call panics.
	handler.ServeHTTP(rec, signedRequest(t, "DELETE", "http://localhost/alpha", nil, nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "<Code>InternalError</Code>") || strings.Contains(rec.Body.String(), "panic") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "panic") || !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Fatalf("panic not logged: %s", logs)
	}
}
