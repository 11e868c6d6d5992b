package kms

import (
	"encoding/base64"
	"strings"
)

// listLimits are a list operation's default and largest page size (the
// model allows Limit 1..1000; the documentation narrows some lists, and
// larger values are served as the documented maximum).
type listLimits struct{ def, max int }

var (
	keysLimits      = listLimits{def: 100, max: 1000}
	aliasesLimits   = listLimits{def: 50, max: 100}
	tagsLimits      = listLimits{def: 50, max: 50}
	rotationsLimits = listLimits{def: 100, max: 1000}
	policiesLimits  = listLimits{def: 100, max: 1000}
)

func (l listLimits) size(limit *int32) int {
	if limit == nil {
		return l.def
	}
	return min(int(*limit), l.max)
}

// paginate returns the page of items (sorted by sortKey) after marker and
// the marker of the next page ("" when this is the last). Markers are
// opaque to clients: base64url of the list kind and the last key returned,
// so a page boundary survives items being added or removed.
func paginate[T any](items []T, sortKey func(T) string, kind, marker string, size int) ([]T, string, error) {
	start := 0
	if marker != "" {
		after, err := decodeMarker(kind, marker)
		if err != nil {
			return nil, "", err
		}
		for start < len(items) && sortKey(items[start]) <= after {
			start++
		}
	}
	end := min(start+size, len(items))
	page := items[start:end]
	if end == len(items) {
		return page, "", nil
	}
	return page, encodeMarker(kind, sortKey(items[end-1])), nil
}

func encodeMarker(kind, last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + "\x00" + last))
}

func decodeMarker(kind, marker string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil {
		return "", errInvalidMarker()
	}
	gotKind, last, ok := strings.Cut(string(raw), "\x00")
	if !ok || gotKind != kind {
		return "", errInvalidMarker()
	}
	return last, nil
}

func errInvalidMarker() error {
	return kmsError(CodeInvalidMarker, "The marker is not valid for this list; use the NextMarker of the previous response.")
}
