package tests

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// The browser harness of the console tests: Debian's chromium, headless,
// driven by chromedp over the DevTools pipe, with a screenshot of every
// step kept as a test artifact.

// stepTimeout bounds one step of a scenario (a click and what it waits for).
const stepTimeout = 45 * time.Second

// browserNames are the executables tried, in order, for the browser.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// findBrowser is the Chromium to drive. Without one the console tests
// skip, saying so: .ci/run installs Debian's chromium.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range browserNames {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skipf("SKIP: no Chromium browser (looked for %s on PATH); install Debian's chromium (apt-get install chromium, as .ci/run does) to run the console browser tests", strings.Join(browserNames, ", "))
	return ""
}

// consoleURL is where the server serves the console.
func consoleURL(s *tlsServer) string {
	return s.httpsEndpoint + "/_coffer/console/"
}

// browser is one headless Chromium with one tab on the console, used by
// the test t (in.(t) gives the same tab to a subtest).
type browser struct {
	t *testing.T
	*tab
}

type tab struct {
	ctx   context.Context // the tab; steps derive their timeouts from it
	base  string          // the console's URL
	shots string          // where screenshots go

	mu       sync.Mutex
	n        int                       // screenshots taken
	messages []chromedp.ConsoleMessage // what the page logged
}

// in is the same tab, reporting to the (sub)test t.
func (b *browser) in(t *testing.T) *browser {
	return &browser{t: t, tab: b.tab}
}

// newBrowser starts Chromium for the console of s. The browser trusts the
// server's certificate by its public key only (the test CA is not
// installed anywhere).
func newBrowser(t *testing.T, s *tlsServer) *browser {
	t.Helper()
	execPath := findBrowser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox, // tests run as root in CI, where the sandbox cannot start
		chromedp.WindowSize(1280, 1000),
		chromedp.Flag("ignore-certificate-errors-spki-list", serverSPKIs(t, s)),
		chromedp.Flag("lang", "en-US"),
		chromedp.Env("TZ=UTC", "LANG=en_US.UTF-8"),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &browser{t: t, tab: &tab{ctx: ctx, base: consoleURL(s), shots: artifactsDir(t)}}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	messages := chromedp.Console(ctx)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, bound to ctx
		t.Fatalf("start %s: %v", execPath, err)
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.messages = append(b.messages, m)
			b.mu.Unlock()
		}
	}()
	t.Cleanup(b.checkConsole)
	t.Logf("console screenshots in %s", b.shots)
	return b
}

// serverSPKIs are the base64 SHA-256 hashes of the public keys in the
// server's certificate chain, for --ignore-certificate-errors-spki-list.
func serverSPKIs(t *testing.T, s *tlsServer) string {
	t.Helper()
	conn, err := tls.Dial("tcp", s.httpsAddr, &tls.Config{RootCAs: trustedPool(t, s.caPath)})
	if err != nil {
		t.Fatalf("TLS handshake with the server: %v", err)
	}
	defer conn.Close()
	var hashes []string
	for _, cert := range conn.ConnectionState().PeerCertificates {
		sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
		hashes = append(hashes, base64.StdEncoding.EncodeToString(sum[:]))
	}
	return strings.Join(hashes, ",")
}

// artifactsDir is where a test's screenshots go: under
// $COFFER_TEST_ARTIFACTS when set (CI keeps them), else a temp dir.
func artifactsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("COFFER_TEST_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_"))
	if err := os.RemoveAll(dir); err != nil { // the screenshots of an earlier run
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkConsole fails the test on anything the page should never log: an
// uncaught exception, or a Content-Security-Policy violation (the console
// must run under the strict policy as it is).
func (b *browser) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.messages {
		if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
			b.t.Errorf("the page logged %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
		}
	}
}

// do runs steps with the step timeout; on failure it keeps a screenshot
// and stops the test.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

func (b *browser) fail(what string, err error) {
	b.t.Helper()
	name := b.shot("FAILED-" + what)
	b.t.Fatalf("%s: %v (screenshot %s)", what, err, name)
}

// shot saves a full-page screenshot named after the step and returns its path.
func (b *browser) shot(step string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", step, err)
		return ""
	}
	b.mu.Lock()
	b.n++
	n := b.n
	b.mu.Unlock()
	name := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", n, regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(step), "-")))
	if err := os.WriteFile(name, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return name
}

// eval evaluates a JavaScript expression in the page (promises awaited).
func eval[T any](b *browser, what, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail(what, err)
	}
	return v
}

// tid is the CSS selector of a data-testid.
func tid(id string) chromedp.CSS {
	return chromedp.CSS(`[data-testid="` + id + `"]`)
}

// within narrows a selector to the descendants of another.
func within(outer string, inner chromedp.CSS) chromedp.CSS {
	return chromedp.CSS(outer + " " + string(inner))
}

// cssString quotes s for a CSS attribute selector.
func cssString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// waitText waits until the element sel selects contains want.
func (b *browser) waitText(sel chromedp.CSS, want string) {
	b.t.Helper()
	expr := fmt.Sprintf(`(() => { const el = document.querySelector(%s); return !!el && el.textContent.includes(%s); })()`, jsString(string(sel)), jsString(want))
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(stepTimeout-time.Second))); err != nil {
		b.fail(fmt.Sprintf("wait for %q in %s (it reads %q)", want, sel, b.textNow(sel)), err)
	}
}

// waitFor waits until a JavaScript expression is truthy.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(stepTimeout-time.Second))); err != nil {
		b.fail("wait for "+what, err)
	}
}

// text is the text of the first element sel selects.
func (b *browser) text(sel chromedp.CSS) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(sel))
	if err != nil {
		b.fail("read "+string(sel), err)
	}
	return strings.TrimSpace(s)
}

// textNow is the element's text, or "" without waiting for it.
func (b *browser) textNow(sel chromedp.CSS) string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%s) || {}).textContent || ""`, jsString(string(sel)))))
	return s
}

// open loads the console at the route hash (e.g. "#/buckets").
func (b *browser) open(hash string) {
	b.t.Helper()
	b.do("open "+hash, chromedp.Navigate(b.base+hash))
}

// signIn fills and submits the sign-in form and waits for the console.
func (b *browser) signIn(accessKey, secretKey string) {
	b.t.Helper()
	b.do("sign in as "+accessKey,
		chromedp.WaitVisible(tid("signin-form")),
		chromedp.SendKeys(tid("signin-access-key"), accessKey),
		chromedp.SendKeys(tid("signin-secret"), secretKey),
		chromedp.Click(tid("signin-submit")),
		chromedp.WaitVisible(tid("whoami")),
	)
}

// dropFiles drags files from outside the page onto the element sel
// selects, as a user dropping them from a file manager would.
func (b *browser) dropFiles(sel chromedp.CSS, paths ...string) {
	b.t.Helper()
	b.do("scroll to the drop zone", chromedp.ScrollIntoView(sel))
	type point struct{ X, Y float64 }
	at := eval[point](b, "locate the drop zone", fmt.Sprintf(
		`(() => { const r = document.querySelector(%s).getBoundingClientRect(); return { X: r.x + r.width / 2, Y: r.y + r.height / 2 }; })()`,
		jsString(string(sel))))
	data := &input.DragData{Items: []*input.DragDataItem{}, Files: paths, DragOperationsMask: 1}
	drag := func(typ input.DispatchDragEventType) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: at.X, Y: at.Y, Data: data})
			return err
		})
	}
	b.do("drop "+strings.Join(paths, ", "),
		drag(input.DispatchDragEventTypeDragEnter),
		drag(input.DispatchDragEventTypeDragOver),
		drag(input.DispatchDragEventTypeDrop))
}
