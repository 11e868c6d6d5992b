package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// AttributeKey is a LookupEvents attribute, spelled as CloudTrail spells it.
type AttributeKey string

// The attributes CloudTrail's LookupEvents accepts for management events.
const (
	AttrEventID      AttributeKey = "EventId"
	AttrEventName    AttributeKey = "EventName"
	AttrReadOnly     AttributeKey = "ReadOnly"
	AttrUsername     AttributeKey = "Username"
	AttrResourceType AttributeKey = "ResourceType"
	AttrResourceName AttributeKey = "ResourceName"
	AttrEventSource  AttributeKey = "EventSource"
	AttrAccessKeyID  AttributeKey = "AccessKeyId"
)

var attributeKeys = []AttributeKey{AttrEventID, AttrEventName, AttrReadOnly, AttrUsername,
	AttrResourceType, AttrResourceName, AttrEventSource, AttrAccessKeyID}

// Attribute is one lookup condition: events whose Key equals Value.
type Attribute struct {
	Key   AttributeKey
	Value string
}

// Query is a LookupEvents request.
type Query struct {
	// Attributes holds at most one attribute, as on CloudTrail.
	Attributes []Attribute
	// StartTime and EndTime bound the event time, inclusive; zero is
	// unbounded.
	StartTime, EndTime time.Time
	// MaxResults is 1 to 50; 0 means 50.
	MaxResults int
	// NextToken continues an earlier lookup with the same attributes and
	// times.
	NextToken string
}

// Limits of a query, as on CloudTrail.
const (
	MaxResultsLimit   = 50
	maxAttributeValue = 2000
)

// Errors of a lookup that the caller caused; each *QueryError matches one.
var (
	ErrInvalidLookupAttributes = errors.New("audit: invalid lookup attributes")
	ErrInvalidTimeRange        = errors.New("audit: invalid time range")
	ErrInvalidMaxResults       = errors.New("audit: invalid max results")
	ErrInvalidNextToken        = errors.New("audit: invalid next token")
)

// QueryError is a refused query with a message fit for the client.
type QueryError struct {
	Kind    error // one of the ErrInvalid* sentinels
	Message string
}

func (e *QueryError) Error() string { return e.Kind.Error() + ": " + e.Message }
func (e *QueryError) Unwrap() error { return e.Kind }

func queryError(kind error, format string, args ...any) error {
	return &QueryError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Page is one page of events, newest first.
type Page struct {
	Events []Event
	// NextToken is "" on the last page.
	NextToken string
}

// Event is a record as LookupEvents shows it.
type Event struct {
	Seq         uint64
	ID          string
	Name        string
	Source      string
	Time        time.Time
	ReadOnly    bool
	AccessKeyID string
	Username    string
	Resources   []Resource
	// Record is the whole record line: the CloudTrail event JSON, with the
	// trail's seq and chain members.
	Record json.RawMessage
}

// Resource is a resource of an event; Name is what CloudTrail shows: the
// bucket (or bucket/key) for S3, the ARN otherwise.
type Resource struct {
	Type string
	Name string
	ARN  string
}

// plan is a validated query.
type plan struct {
	attr       *Attribute
	start, end time.Time
	max        int
	before     uint64 // only records with a smaller seq
	needle     []byte // bytes every match contains, when known
}

func (q Query) plan(tokenKey []byte) (plan, error) {
	p := plan{start: q.StartTime, end: q.EndTime, max: q.MaxResults, before: math.MaxUint64}
	switch {
	case len(q.Attributes) > 1:
		return plan{}, queryError(ErrInvalidLookupAttributes, "only one lookup attribute is allowed, got %d", len(q.Attributes))
	case len(q.Attributes) == 1:
		a := q.Attributes[0]
		if err := a.validate(); err != nil {
			return plan{}, err
		}
		p.attr, p.needle = &a, a.needle()
	}
	if !p.start.IsZero() && !p.end.IsZero() && p.start.After(p.end) {
		return plan{}, queryError(ErrInvalidTimeRange, "the start time is after the end time")
	}
	switch {
	case p.max == 0:
		p.max = MaxResultsLimit
	case p.max < 0 || p.max > MaxResultsLimit:
		return plan{}, queryError(ErrInvalidMaxResults, "MaxResults must be between 1 and %d, got %d", MaxResultsLimit, p.max)
	}
	if q.NextToken != "" {
		seq, err := decodeToken(tokenKey, q.NextToken, q)
		if err != nil {
			return plan{}, err
		}
		p.before = seq
	}
	return p, nil
}

func (a Attribute) validate() error {
	if !isAttributeKey(a.Key) {
		return queryError(ErrInvalidLookupAttributes, "unknown lookup attribute key %q", cut(string(a.Key), 64))
	}
	if a.Value == "" || len(a.Value) > maxAttributeValue {
		return queryError(ErrInvalidLookupAttributes, "the value of %s must be 1 to %d characters", a.Key, maxAttributeValue)
	}
	if a.Key == AttrReadOnly && a.Value != "true" && a.Value != "false" {
		return queryError(ErrInvalidLookupAttributes, "the value of ReadOnly must be true or false")
	}
	return nil
}

func isAttributeKey(k AttributeKey) bool {
	for _, known := range attributeKeys {
		if k == known {
			return true
		}
	}
	return false
}

// needle is text every matching record line contains, so that most lines
// are skipped without decoding: the value as JSON writes it, for values
// JSON leaves unescaped. Username and ReadOnly match derived fields.
func (a Attribute) needle() []byte {
	if a.Key == AttrUsername || a.Key == AttrReadOnly || !utf8.ValidString(a.Value) ||
		strings.ContainsAny(a.Value, "\"\\<>&\u2028\u2029") {
		return nil
	}
	for _, c := range a.Value {
		if c < 0x20 {
			return nil
		}
	}
	return []byte(a.Value)
}

func (a Attribute) matches(e *Event) bool {
	switch a.Key {
	case AttrEventID:
		return e.ID == a.Value
	case AttrEventName:
		return e.Name == a.Value
	case AttrEventSource:
		return e.Source == a.Value
	case AttrAccessKeyID:
		return e.AccessKeyID == a.Value
	case AttrUsername:
		return e.Username == a.Value
	case AttrReadOnly:
		return (a.Value == "true") == e.ReadOnly
	case AttrResourceType:
		for _, r := range e.Resources {
			if r.Type == a.Value {
				return true
			}
		}
	case AttrResourceName:
		for _, r := range e.Resources {
			if r.Name == a.Value || r.ARN == a.Value {
				return true
			}
		}
	}
	return false
}
