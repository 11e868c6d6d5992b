package policy

import (
	"errors"
	"strings"
)

// Policy variables (Version 2012-10-17 only; earlier versions read "${" as
// plain text): ${key} is replaced by the request's single value for the
// condition key, ${key, 'default'} falls back to default when the key is
// absent, and ${*} ${?} ${$} stand for a literal '*', '?' and '$'.
// Substituted text is always literal: a user named "a*" matches only "a*".

type pieceKind int

const (
	pieceText     pieceKind = iota + 1 // policy text: '*' and '?' are wildcards where the operator has them
	pieceLiteral                       // an escape: never a wildcard
	pieceVariable                      // a context key to substitute
)

type piece struct {
	kind       pieceKind
	text       string // the text, or the lower-cased key of a variable
	def        string
	hasDefault bool
}

// value is one compiled policy string: Resource entries and the values of
// string and ARN condition operators. Static values are compiled once.
type value struct {
	static    bool
	pattern   pattern // when static
	pieces    []piece // when not static
	wildcards bool
}

var errBadVariable = errors.New("malformed policy variable")

// compileValue compiles text; variables are recognised only when
// variables is set (the document is Version 2012-10-17).
func compileValue(text string, wildcards, variables bool) (value, error) {
	if !variables || !strings.Contains(text, "${") {
		return value{static: true, pattern: compileText(text, wildcards), wildcards: wildcards}, nil
	}
	pieces, err := parsePieces(text)
	if err != nil {
		return value{}, err
	}
	v := value{pieces: pieces, wildcards: wildcards}
	for _, p := range pieces {
		if p.kind == pieceVariable {
			return v, nil
		}
	}
	// Only escapes: still static.
	units, _ := v.render(&contextKeys{})
	return value{static: true, pattern: newPattern(units), wildcards: wildcards}, nil
}

func compileText(text string, wildcards bool) pattern {
	if !wildcards {
		return literalPattern(text)
	}
	return compileWildcard(text)
}

func parsePieces(text string) ([]piece, error) {
	var pieces []piece
	for {
		start := strings.Index(text, "${")
		if start < 0 {
			if text != "" {
				pieces = append(pieces, piece{kind: pieceText, text: text})
			}
			return pieces, nil
		}
		if start > 0 {
			pieces = append(pieces, piece{kind: pieceText, text: text[:start]})
		}
		end := strings.IndexByte(text[start:], '}')
		if end < 0 {
			return nil, errBadVariable
		}
		p, err := parseVariable(text[start+2 : start+end])
		if err != nil {
			return nil, err
		}
		pieces = append(pieces, p)
		text = text[start+end+1:]
	}
}

// parseVariable reads what is between "${" and "}".
func parseVariable(body string) (piece, error) {
	switch body {
	case "*", "?", "$":
		return piece{kind: pieceLiteral, text: body}, nil
	}
	name, rest, hasDefault := strings.Cut(body, ",")
	name = strings.TrimSpace(name)
	if !validContextKey(name) {
		return piece{}, errBadVariable
	}
	p := piece{kind: pieceVariable, text: strings.ToLower(name)}
	if hasDefault {
		rest = strings.TrimSpace(rest)
		if len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' || strings.Count(rest, "'") != 2 {
			return piece{}, errBadVariable
		}
		p.def, p.hasDefault = rest[1:len(rest)-1], true
	}
	return p, nil
}

// validContextKey accepts "prefix:name" keys: a service prefix, a colon,
// and a name without whitespace or braces.
func validContextKey(key string) bool {
	prefix, name, ok := strings.Cut(key, ":")
	if !ok || prefix == "" || name == "" {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if !isServiceChar(prefix[i]) {
			return false
		}
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c <= ' ', c == '{', c == '}', c == '$', c == 0x7f:
			return false
		}
	}
	return true
}

func isServiceChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// resolve returns the pattern for this request. ok is false when a
// variable has no single value and no default: AWS treats such a value as
// null, equal to nothing and like nothing.
func (v value) resolve(ctx *contextKeys) (pattern, bool) {
	if v.static {
		return v.pattern, true
	}
	units, ok := v.render(ctx)
	if !ok {
		return pattern{}, false
	}
	return newPattern(units), true
}

func (v value) render(ctx *contextKeys) ([]int16, bool) {
	size := 0
	for _, p := range v.pieces {
		size += len(p.text)
	}
	units := make([]int16, 0, size+32) // room for a typical substituted value
	for _, p := range v.pieces {
		switch p.kind {
		case pieceText:
			for i := 0; i < len(p.text); i++ {
				units = appendTextUnit(units, p.text[i], v.wildcards)
			}
		case pieceLiteral:
			units = append(units, int16(p.text[0]))
		case pieceVariable:
			text, ok := ctx.single(p.text)
			if !ok {
				if !p.hasDefault {
					return nil, false
				}
				text = p.def
			}
			for i := 0; i < len(text); i++ {
				units = append(units, int16(text[i]))
			}
		}
	}
	return units, true
}
