package policy

import (
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family is the kind of value a condition operator compares.
type family int

const (
	familyString family = iota + 1
	familyNumeric
	familyDate
	familyBool
	familyBinary
	familyIP
	familyARN
	familyNull
)

// comparison is what the operator checks between a request value and a
// policy value. Negated operators (StringNotEquals, NotIpAddress, ...) use
// the positive comparison and invert the result over all policy values.
type comparison int

const (
	cmpEqual comparison = iota + 1
	cmpEqualFold
	cmpLike
	cmpLess
	cmpLessEqual
	cmpGreater
	cmpGreaterEqual
)

type operatorSpec struct {
	family  family
	cmp     comparison
	negated bool
}

// operators are the base operator names, matched case-sensitively as AWS
// does ("stringequals" is refused). ...IfExists and the ForAnyValue: /
// ForAllValues: prefixes are handled by parseOperator.
var operators = map[string]operatorSpec{
	"StringEquals":              {familyString, cmpEqual, false},
	"StringNotEquals":           {familyString, cmpEqual, true},
	"StringEqualsIgnoreCase":    {familyString, cmpEqualFold, false},
	"StringNotEqualsIgnoreCase": {familyString, cmpEqualFold, true},
	"StringLike":                {familyString, cmpLike, false},
	"StringNotLike":             {familyString, cmpLike, true},
	"NumericEquals":             {familyNumeric, cmpEqual, false},
	"NumericNotEquals":          {familyNumeric, cmpEqual, true},
	"NumericLessThan":           {familyNumeric, cmpLess, false},
	"NumericLessThanEquals":     {familyNumeric, cmpLessEqual, false},
	"NumericGreaterThan":        {familyNumeric, cmpGreater, false},
	"NumericGreaterThanEquals":  {familyNumeric, cmpGreaterEqual, false},
	"DateEquals":                {familyDate, cmpEqual, false},
	"DateNotEquals":             {familyDate, cmpEqual, true},
	"DateLessThan":              {familyDate, cmpLess, false},
	"DateLessThanEquals":        {familyDate, cmpLessEqual, false},
	"DateGreaterThan":           {familyDate, cmpGreater, false},
	"DateGreaterThanEquals":     {familyDate, cmpGreaterEqual, false},
	"Bool":                      {familyBool, cmpEqual, false},
	"BinaryEquals":              {familyBinary, cmpEqual, false},
	"IpAddress":                 {familyIP, cmpEqual, false},
	"NotIpAddress":              {familyIP, cmpEqual, true},
	"ArnEquals":                 {familyARN, cmpLike, false},
	"ArnLike":                   {familyARN, cmpLike, false},
	"ArnNotEquals":              {familyARN, cmpLike, true},
	"ArnNotLike":                {familyARN, cmpLike, true},
	"Null":                      {familyNull, cmpEqual, false},
}

// parseNumber reads a decimal number: an optional sign, digits, an
// optional fraction and exponent. Hex, NaN, Inf and digit separators,
// which strconv would take, are refused.
func parseNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for i < len(s) && isDigit(s[i]) {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// dateLayouts are the ISO 8601 forms policies and request contexts use.
var dateLayouts = []string{
	time.RFC3339Nano, // 2026-01-02T15:04:05Z, with offset or fraction
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"20060102T150405Z07:00",
	"20060102T150405Z",
	"2006-01-02",
}

// parseDate reads an ISO 8601 date (a time without a zone is UTC) or a
// count of seconds since the Unix epoch.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if isEpoch(s) {
		secs, err := strconv.ParseInt(s, 10, 64)
		if err != nil || secs > 1<<40 || secs < -(1<<40) {
			return time.Time{}, false
		}
		return time.Unix(secs, 0).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isEpoch(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// parseBool reads "true" or "false" in any case.
func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parsePrefix reads a CIDR block or a single address (a /32 or /128).
// Host bits are cleared, as AWS matches 203.0.113.7/24 like 203.0.113.0/24.
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			if !p.IsValid() {
				return netip.Prefix{}, false
			}
		}
		return p.Masked(), true
	}
	a, ok := parseAddr(s)
	if !ok {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseAddr reads a request's source address; IPv4-mapped IPv6 addresses
// count as IPv4, and zones are dropped.
func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func parseBinary(s string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	return b, err == nil
}

func compareOrdered[T int | float64](a, b T, cmp comparison) bool {
	switch cmp {
	case cmpEqual:
		return a == b
	case cmpLess:
		return a < b
	case cmpLessEqual:
		return a <= b
	case cmpGreater:
		return a > b
	case cmpGreaterEqual:
		return a >= b
	}
	return false
}

func compareTimes(a, b time.Time, cmp comparison) bool {
	return compareOrdered(a.Compare(b), 0, cmp)
}
