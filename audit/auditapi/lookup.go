package auditapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/cofferlabs/coffer/audit"
)

// lookupRequest is LookupEventsRequest; pointers tell absent from zero.
type lookupRequest struct {
	LookupAttributes []lookupAttribute `json:"LookupAttributes"`
	StartTime        *epochTime        `json:"StartTime"`
	EndTime          *epochTime        `json:"EndTime"`
	EventCategory    *string           `json:"EventCategory"`
	MaxResults       *int              `json:"MaxResults"`
	NextToken        *string           `json:"NextToken"`
}

type lookupAttribute struct {
	AttributeKey   *string `json:"AttributeKey"`
	AttributeValue *string `json:"AttributeValue"`
}

// lookupResponse is LookupEventsResponse.
type lookupResponse struct {
	Events    []event `json:"Events"`
	NextToken string  `json:"NextToken,omitempty"`
}

type event struct {
	EventID         string     `json:"EventId,omitempty"`
	EventName       string     `json:"EventName,omitempty"`
	ReadOnly        string     `json:"ReadOnly"`
	AccessKeyID     string     `json:"AccessKeyId,omitempty"`
	EventTime       int64      `json:"EventTime"`
	EventSource     string     `json:"EventSource,omitempty"`
	Username        string     `json:"Username,omitempty"`
	Resources       []resource `json:"Resources"`
	CloudTrailEvent string     `json:"CloudTrailEvent"`
}

type resource struct {
	ResourceType string `json:"ResourceType,omitempty"`
	ResourceName string `json:"ResourceName,omitempty"`
}

// The only EventCategory the model knows; Coffer has no Insights events.
const categoryInsight = "insight"

func (h *handler) lookupEvents(ctx context.Context, body []byte) (lookupResponse, *apiError) {
	req, apiErr := parseLookupRequest(body)
	if apiErr != nil {
		return lookupResponse{}, apiErr
	}
	q, apiErr := req.query()
	if apiErr != nil {
		return lookupResponse{}, apiErr
	}
	if req.EventCategory != nil {
		// Insights events only: validate the rest as usual, return none.
		if _, apiErr := h.page(ctx, q); apiErr != nil {
			return lookupResponse{}, apiErr
		}
		return lookupResponse{Events: []event{}}, nil
	}
	page, apiErr := h.page(ctx, q)
	if apiErr != nil {
		return lookupResponse{}, apiErr
	}
	resp := lookupResponse{Events: make([]event, 0, len(page.Events)), NextToken: page.NextToken}
	for _, e := range page.Events {
		resp.Events = append(resp.Events, eventOf(e))
	}
	return resp, nil
}

func (h *handler) page(ctx context.Context, q audit.Query) (audit.Page, *apiError) {
	page, err := h.cfg.Log.Lookup(ctx, q)
	if err == nil {
		return page, nil
	}
	if apiErr := fromQueryError(err); apiErr != nil {
		return audit.Page{}, apiErr
	}
	return audit.Page{}, &apiError{Code: codeInternal, Status: http.StatusInternalServerError, Message: err.Error()}
}

// parseLookupRequest decodes the body; an empty body is an empty request,
// as botocore sends "{}" and some clients nothing.
func parseLookupRequest(body []byte) (lookupRequest, *apiError) {
	var req lookupRequest
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		var rangeErr *timeRangeError
		if errors.As(err, &rangeErr) {
			return req, clientError(codeInvalidTimeRange, rangeErr.Error())
		}
		return req, clientError(codeSerialization, "The request body is not a valid LookupEvents request: "+err.Error())
	}
	if dec.More() {
		return req, clientError(codeSerialization, "The request body has data after the JSON object.")
	}
	return req, nil
}

func (req lookupRequest) query() (audit.Query, *apiError) {
	var q audit.Query
	for _, a := range req.LookupAttributes {
		if a.AttributeKey == nil || a.AttributeValue == nil {
			return q, clientError(codeInvalidLookup, "Each lookup attribute needs an AttributeKey and an AttributeValue.")
		}
		q.Attributes = append(q.Attributes, audit.Attribute{Key: audit.AttributeKey(*a.AttributeKey), Value: *a.AttributeValue})
	}
	if req.StartTime != nil {
		q.StartTime = time.Time(*req.StartTime)
	}
	if req.EndTime != nil {
		q.EndTime = time.Time(*req.EndTime)
	}
	if req.MaxResults != nil {
		if *req.MaxResults < 1 || *req.MaxResults > audit.MaxResultsLimit {
			return q, clientError(codeInvalidMaxResults, fmt.Sprintf("MaxResults must be between 1 and %d.", audit.MaxResultsLimit))
		}
		q.MaxResults = *req.MaxResults
	}
	if req.NextToken != nil {
		q.NextToken = *req.NextToken
	}
	if c := req.EventCategory; c != nil && *c != categoryInsight {
		return q, clientError(codeInvalidCategory, "EventCategory must be insight.")
	}
	return q, nil
}

func eventOf(e audit.Event) event {
	out := event{
		EventID:         e.ID,
		EventName:       e.Name,
		ReadOnly:        strconv.FormatBool(e.ReadOnly),
		AccessKeyID:     e.AccessKeyID,
		EventTime:       e.Time.Unix(),
		EventSource:     e.Source,
		Username:        e.Username,
		Resources:       make([]resource, 0, len(e.Resources)),
		CloudTrailEvent: string(e.Record),
	}
	for _, r := range e.Resources {
		out.Resources = append(out.Resources, resource{ResourceType: r.Type, ResourceName: r.Name})
	}
	return out
}

// epochTime is a JSON timestamp: epoch seconds, fractions allowed.
type epochTime time.Time

// The range a timestamp may take: from 1970 to year 5138.
const maxEpochSeconds = 1e11

type timeRangeError struct{ value string }

func (e *timeRangeError) Error() string {
	return fmt.Sprintf("The timestamp %s is outside the range of possible values.", truncate(e.value, 32))
}

func (t *epochTime) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] == '"' || b[0] == 'n' {
		return errors.New("timestamps must be epoch seconds (a JSON number)")
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return errors.New("timestamps must be epoch seconds (a JSON number)")
	}
	if f < 0 || f >= maxEpochSeconds {
		return &timeRangeError{value: string(b)}
	}
	sec := math.Floor(f)
	nsec := math.Round((f-sec)*1e3) * 1e6 // the protocol carries milliseconds
	*t = epochTime(time.Unix(int64(sec), int64(nsec)).UTC())
	return nil
}
