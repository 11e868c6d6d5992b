package audit

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/cofferlabs/coffer"
)

// What every record says about itself, as CloudTrail does.
const (
	eventVersion     = "1.08"
	eventTypeAPICall = "AwsApiCall"
	eventTypeService = "AwsServiceEvent"
	eventCategory    = "Management"
	timeLayout       = "2006-01-02T15:04:05Z"
	anonymousAccount = "ANONYMOUS_PRINCIPAL"
	// maxRecordBytes bounds a record's JSON; an event that would exceed it
	// loses its largest parts first (encodeRecord), never the record.
	maxRecordBytes = 32 << 10
)

// record is one CloudTrail event as written; seq and chain are spliced in by
// sealRecord, so they are not fields here.
type record struct {
	EventVersion        string            `json:"eventVersion"`
	UserIdentity        userIdentity      `json:"userIdentity"`
	EventTime           string            `json:"eventTime"`
	EventSource         string            `json:"eventSource"`
	EventName           string            `json:"eventName"`
	AWSRegion           string            `json:"awsRegion"`
	SourceIPAddress     string            `json:"sourceIPAddress,omitempty"`
	UserAgent           string            `json:"userAgent,omitempty"`
	ErrorCode           string            `json:"errorCode,omitempty"`
	ErrorMessage        string            `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any    `json:"requestParameters"`
	ResponseElements    map[string]any    `json:"responseElements"`
	AdditionalEventData map[string]string `json:"additionalEventData,omitempty"`
	RequestID           string            `json:"requestID,omitempty"`
	EventID             string            `json:"eventID"`
	ReadOnly            bool              `json:"readOnly"`
	Resources           []resource        `json:"resources,omitempty"`
	EventType           string            `json:"eventType"`
	ManagementEvent     bool              `json:"managementEvent"`
	RecipientAccountID  string            `json:"recipientAccountId,omitempty"`
	EventCategory       string            `json:"eventCategory"`
	TLSDetails          *tlsDetails       `json:"tlsDetails,omitempty"`
}

type userIdentity struct {
	Type        string `json:"type,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	InvokedBy   string `json:"invokedBy,omitempty"`
}

type resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
}

type tlsDetails struct {
	TLSVersion               string `json:"tlsVersion,omitempty"`
	CipherSuite              string `json:"cipherSuite,omitempty"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader,omitempty"`
}

// recordEnv is what a record needs besides the event.
type recordEnv struct {
	region    string
	accountID string
	eventID   string
	now       time.Time // the event's time when it has none
}

// newRecord turns an event into its CloudTrail shape.
func newRecord(e coffer.AuditEvent, env recordEnv) record {
	when := e.Time
	if when.IsZero() {
		when = env.now
	}
	r := record{
		EventVersion:       eventVersion,
		UserIdentity:       identityOf(e),
		EventTime:          when.UTC().Format(timeLayout),
		EventSource:        e.EventSource,
		EventName:          e.EventName,
		AWSRegion:          env.region,
		SourceIPAddress:    e.Request.SourceIP,
		UserAgent:          e.Request.UserAgent,
		ErrorCode:          e.ErrorCode,
		ErrorMessage:       e.ErrorMessage,
		RequestParameters:  e.Parameters,
		RequestID:          e.Request.RequestID,
		EventID:            env.eventID,
		ReadOnly:           e.ReadOnly,
		EventType:          eventTypeAPICall,
		ManagementEvent:    true,
		RecipientAccountID: env.accountID,
		EventCategory:      eventCategory,
	}
	if isServiceEvent(e) {
		r.EventType = eventTypeService
	}
	r.AdditionalEventData = additionalData(e)
	if via := e.Request.ViaService; via != "" {
		// As on AWS, a call a service makes for the caller comes "from"
		// that service; the caller's own address stays in additional data.
		r.SourceIPAddress, r.UserAgent = via, via
	}
	if e.Request.SecureTransport {
		r.TLSDetails = &tlsDetails{
			TLSVersion:               e.Request.TLSVersion,
			CipherSuite:              e.Request.CipherSuite,
			ClientProvidedHostHeader: e.Request.Host,
		}
	}
	for _, res := range e.Resources {
		r.Resources = append(r.Resources, resource{ARN: res.ARN, AccountID: arnAccount(res.ARN, env.accountID), Type: res.Type})
	}
	return r
}

// isServiceEvent: no principal at all means Coffer acted on its own
// (rotation, recovery), which CloudTrail calls a service event.
func isServiceEvent(e coffer.AuditEvent) bool {
	return e.Principal == (coffer.Principal{})
}

func identityOf(e coffer.AuditEvent) userIdentity {
	p := e.Principal
	switch {
	case p.Anonymous:
		return userIdentity{Type: "AWSAccount", AccountID: anonymousAccount, InvokedBy: e.Request.ViaService}
	case isServiceEvent(e):
		return userIdentity{Type: "AWSService", InvokedBy: e.EventSource}
	}
	id := userIdentity{
		Type:        "IAMUser",
		PrincipalID: p.UserID,
		ARN:         p.ARN,
		AccountID:   p.AccountID,
		AccessKeyID: p.AccessKeyID,
		UserName:    p.UserName,
		InvokedBy:   e.Request.ViaService,
	}
	if p.IsRoot() {
		id.Type = "Root"
	}
	return id
}

// additionalData is the event's details, plus the caller's own address
// when a service acted for it.
func additionalData(e coffer.AuditEvent) map[string]string {
	out := make(map[string]string, len(e.Details)+2)
	for k, v := range e.Details {
		out[k] = v
	}
	if e.Request.ViaService != "" {
		if e.Request.SourceIP != "" {
			out["callerSourceIPAddress"] = e.Request.SourceIP
		}
		if e.Request.UserAgent != "" {
			out["callerUserAgent"] = e.Request.UserAgent
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// arnAccount is the account field of an ARN, or fallback when the ARN has
// none (S3 ARNs never do).
func arnAccount(arn, fallback string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[4] != "" {
		return parts[4]
	}
	return fallback
}

// encodeRecord marshals r, shedding the parts callers control in size
// (request parameters first) until it fits maxRecordBytes. Parameters that
// are not representable as JSON are dropped the same way.
func encodeRecord(r record) []byte {
	b, err := json.Marshal(r)
	if err == nil && len(b) <= maxRecordBytes {
		return b
	}
	r.RequestParameters = nil
	r.AdditionalEventData = map[string]string{"requestParametersOmitted": omissionReason(err)}
	if b, err = json.Marshal(r); err == nil && len(b) <= maxRecordBytes {
		return b
	}
	shrinkStrings(&r)
	b, _ = json.Marshal(r) // only strings and bounded lists remain: cannot fail
	return b
}

func omissionReason(err error) string {
	if err != nil {
		return "not representable as JSON"
	}
	return "the record exceeded 32 KiB"
}

// shrinkStrings cuts every free-text field to a size that keeps the record
// far below maxRecordBytes.
func shrinkStrings(r *record) {
	// 42 strings of 100 bytes, even escaped six-fold, stay under 32 KiB.
	const keep, maxResources = 100, 8
	for _, s := range []*string{&r.EventSource, &r.EventName, &r.SourceIPAddress, &r.UserAgent, &r.ErrorCode,
		&r.ErrorMessage, &r.RequestID, &r.UserIdentity.PrincipalID, &r.UserIdentity.ARN, &r.UserIdentity.AccountID,
		&r.UserIdentity.AccessKeyID, &r.UserIdentity.UserName, &r.UserIdentity.InvokedBy, &r.AWSRegion, &r.RecipientAccountID} {
		*s = cut(*s, keep)
	}
	if len(r.Resources) > maxResources {
		r.Resources = r.Resources[:maxResources]
	}
	for i := range r.Resources {
		r.Resources[i].ARN = cut(r.Resources[i].ARN, keep)
		r.Resources[i].Type = cut(r.Resources[i].Type, keep)
		r.Resources[i].AccountID = cut(r.Resources[i].AccountID, keep)
	}
	if t := r.TLSDetails; t != nil {
		t.TLSVersion, t.CipherSuite, t.ClientProvidedHostHeader = cut(t.TLSVersion, keep), cut(t.CipherSuite, keep), cut(t.ClientProvidedHostHeader, keep)
	}
	r.AdditionalEventData["recordTruncated"] = "true"
}

// cut shortens s to at most n bytes without splitting a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
