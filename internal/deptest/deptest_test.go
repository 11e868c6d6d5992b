package deptest

import "testing"

func TestForbids(t *testing.T) {
	coffer := map[string]bool{Module: true, Module + "/sigv4": true}
	cases := []struct {
		name  string
		rules Rules
		dep   dependency
		want  bool
	}{
		{name: "standard library", rules: Rules{StdlibOnly: true}, dep: dependency{path: "bytes", standard: true}},
		{name: "net/http when forbidden", rules: Rules{NoHTTP: true}, dep: dependency{path: "net/http", standard: true}, want: true},
		{name: "net/http/httptrace when forbidden", rules: Rules{NoHTTP: true}, dep: dependency{path: "net/http/httptrace", standard: true}, want: true},
		{name: "net/http when allowed", dep: dependency{path: "net/http", standard: true}},
		{name: "allowed Coffer package", dep: dependency{path: Module + "/sigv4"}},
		{name: "domain package", dep: dependency{path: Module}},
		{name: "other Coffer package", dep: dependency{path: Module + "/sse"}, want: true},
		{name: "third party when stdlib only", rules: Rules{StdlibOnly: true}, dep: dependency{path: "github.com/x/y"}, want: true},
		{name: "allowed third party", rules: Rules{StdlibOnly: true, Allow: []string{"golang.org/x/crypto/"}}, dep: dependency{path: "golang.org/x/crypto/hkdf"}},
		{name: "any third party", dep: dependency{path: "github.com/x/y"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rules.forbids(tc.dep, coffer) != ""; got != tc.want {
				t.Fatalf("forbids = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSelfIsStdlibOnly(t *testing.T) {
	Check(t, Rules{StdlibOnly: true, NoHTTP: true})
}
