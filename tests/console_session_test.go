package tests

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// pageStorage is everything a script in the page can read back that could
// hold a secret.
type pageStorage struct {
	LocalStorage   string
	SessionStorage string
	Cookie         string
	HTML           string
	Inputs         string
}

const readPageStorage = `({
	LocalStorage: JSON.stringify(Object.entries(localStorage)),
	SessionStorage: JSON.stringify(Object.entries(sessionStorage)),
	Cookie: document.cookie,
	HTML: document.documentElement.outerHTML,
	Inputs: Array.from(document.querySelectorAll('input, textarea')).map((e) => e.value).join('\n'),
})`

// assertNoSecret fails when the page can see the secret or the session id.
func assertNoSecret(t *testing.T, b *browser, when string) {
	t.Helper()
	got := eval[pageStorage](b, "read the page's storage", readPageStorage)
	if got.LocalStorage != "[]" || got.SessionStorage != "[]" {
		t.Errorf("%s: Web Storage is not empty: localStorage %s, sessionStorage %s", when, got.LocalStorage, got.SessionStorage)
	}
	if strings.Contains(got.Cookie, "coffer_console") {
		t.Errorf("%s: document.cookie shows the session cookie: %q (it must be HttpOnly)", when, got.Cookie)
	}
	for name, v := range map[string]string{"localStorage": got.LocalStorage, "sessionStorage": got.SessionStorage,
		"document.cookie": got.Cookie, "the DOM": got.HTML, "form fields": got.Inputs} {
		if strings.Contains(v, rootSecretKey) {
			t.Errorf("%s: the secret access key is in %s", when, name)
		}
	}
}

// consoleCookie is the session cookie as the browser keeps it, or nil.
func consoleCookie(t *testing.T, b *browser) *network.Cookie {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base}})
	if err != nil {
		b.fail("read the browser's cookies", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "coffer_console" {
			return c
		}
	}
	return nil
}

// After sign-in the page holds neither the secret nor the session id:
// nothing in localStorage, sessionStorage or document.cookie, and the
// session cookie is HttpOnly, Secure and SameSite=Strict.
func TestConsoleSignInKeepsNoSecret(t *testing.T) {
	s := startTLSServer(t)
	b := newBrowser(t, s)

	resp, err := httpsClient(trustedPool(t, s.caPath)).Do(mustRequest(t, http.MethodGet, consoleURL(s)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Fatalf("the console is served with Content-Security-Policy %q", csp)
	}

	b.open("")
	b.do("the sign-in page", chromedp.WaitVisible(tid("signin-form")))
	assertNoSecret(t, b, "before sign-in")

	b.do("sign in with a wrong secret",
		chromedp.SendKeys(tid("signin-access-key"), rootAccessKey),
		chromedp.SendKeys(tid("signin-secret"), "not-the-secret"),
		chromedp.Click(tid("signin-submit")),
		chromedp.WaitVisible(tid("signin-error")))
	if code := b.text(within(`[data-testid="signin-error"]`, tid("error-code"))); code != "InvalidCredentials" {
		t.Fatalf("a wrong secret shows %q, want InvalidCredentials", code)
	}
	b.shot("wrong secret refused")
	if c := consoleCookie(t, b); c != nil {
		t.Fatalf("a refused sign-in set the session cookie %+v", c)
	}

	eval[bool](b, "clear the form", `(() => { for (const e of document.querySelectorAll('[data-testid="signin-form"] input')) e.value = ''; return true; })()`)
	b.signIn(rootAccessKey, rootSecretKey)
	b.shot("signed in")
	assertNoSecret(t, b, "after sign-in")
	c := consoleCookie(t, b)
	if c == nil {
		t.Fatal("no session cookie after sign-in")
	}
	if !c.HTTPOnly || !c.Secure || c.SameSite != network.CookieSameSiteStrict || c.Path != "/_coffer/console/" {
		t.Fatalf("session cookie: HttpOnly %v, Secure %v, SameSite %q, Path %q", c.HTTPOnly, c.Secure, c.SameSite, c.Path)
	}

	b.open("#/keys") // a new document: the session comes back from the cookie alone
	b.do("reload signed in", chromedp.Reload(), chromedp.WaitVisible(tid("key-create-form")))
	assertNoSecret(t, b, "after a reload")

	b.do("sign out", chromedp.Click(tid("signout")), chromedp.WaitVisible(tid("signin-form")))
	b.waitText(tid("signin-message"), "signed out")
	b.shot("signed out")
	if c := consoleCookie(t, b); c != nil {
		t.Fatalf("the session cookie outlived sign-out: %+v", c)
	}
	b.do("reload signed out", chromedp.Reload(), chromedp.WaitVisible(tid("signin-form")))
	assertNoSecret(t, b, "after sign-out")
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
