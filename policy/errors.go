package policy

import "strconv"

// Reason classifies why a document was refused, so that each front end can
// word it its own way (S3 answers MalformedPolicy, the KMS
// MalformedPolicyDocumentException, IAM MalformedPolicyDocument).
type Reason int

const (
	ReasonInvalidJSON              Reason = iota + 1 // not JSON, or not one JSON object
	ReasonTooLarge                                   // larger than Options.MaxSize
	ReasonUnknownField                               // an element the grammar does not have
	ReasonDuplicateField                             // the same member twice in one object
	ReasonWrongType                                  // an element of the wrong JSON type
	ReasonMissingField                               // a required element is absent
	ReasonConflictingFields                          // e.g. Action and NotAction together
	ReasonInvalidVersion                             // Version is not 2012-10-17 or 2008-10-17
	ReasonEmptyStatement                             // Statement is an empty array
	ReasonDuplicateSid                               // two statements share a Sid
	ReasonInvalidEffect                              // Effect is not Allow or Deny
	ReasonInvalidPrincipal                           // a principal we cannot name
	ReasonPrincipalNotAllowed                        // Principal in an identity policy
	ReasonInvalidAction                              // malformed, or not one of Options.Actions
	ReasonInvalidResource                            // not "*" nor an ARN
	ReasonInvalidConditionOperator                   // an operator name we do not know
	ReasonInvalidConditionKey                        // a condition key that is not prefix:name
	ReasonInvalidConditionValue                      // a value the operator cannot read
	ReasonActionResourceMismatch                     // no action of a statement applies to its resources (S3)
)

var reasonNames = [...]string{
	ReasonInvalidJSON:              "InvalidJSON",
	ReasonTooLarge:                 "TooLarge",
	ReasonUnknownField:             "UnknownField",
	ReasonDuplicateField:           "DuplicateField",
	ReasonWrongType:                "WrongType",
	ReasonMissingField:             "MissingField",
	ReasonConflictingFields:        "ConflictingFields",
	ReasonInvalidVersion:           "InvalidVersion",
	ReasonEmptyStatement:           "EmptyStatement",
	ReasonDuplicateSid:             "DuplicateSid",
	ReasonInvalidEffect:            "InvalidEffect",
	ReasonInvalidPrincipal:         "InvalidPrincipal",
	ReasonPrincipalNotAllowed:      "PrincipalNotAllowed",
	ReasonInvalidAction:            "InvalidAction",
	ReasonInvalidResource:          "InvalidResource",
	ReasonInvalidConditionOperator: "InvalidConditionOperator",
	ReasonInvalidConditionKey:      "InvalidConditionKey",
	ReasonInvalidConditionValue:    "InvalidConditionValue",
	ReasonActionResourceMismatch:   "ActionResourceMismatch",
}

func (r Reason) String() string {
	if r > 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// Error is a malformed policy document. Message is public text in the
// words AWS uses where it has them ("Policy has invalid action"); Detail
// says exactly what is wrong and where. Neither ever quotes more than the
// offending element.
type Error struct {
	Reason    Reason
	Statement int // index of the offending statement; -1 for the document as a whole
	Message   string
	Detail    string
}

func (e *Error) Error() string {
	s := "malformed policy: " + e.Message
	if e.Statement >= 0 {
		s += " (statement " + strconv.Itoa(e.Statement) + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Public is the text to show a client: the AWS message and, when it adds
// something, the detail.
func (e *Error) Public() string {
	if e.Detail == "" || e.Detail == e.Message {
		return e.Message
	}
	return e.Message + ": " + e.Detail
}

func documentError(reason Reason, message, detail string) *Error {
	return &Error{Reason: reason, Statement: -1, Message: message, Detail: detail}
}

func statementError(index int, reason Reason, message, detail string) *Error {
	return &Error{Reason: reason, Statement: index, Message: message, Detail: detail}
}

// Messages AWS returns for these faults (S3 PutBucketPolicy / IAM).
const (
	msgInvalidJSON      = "This policy contains invalid Json"
	msgNotObject        = "Policies must be valid JSON and the first byte must be '{'"
	msgInvalidVersion   = "The policy must contain a valid version string"
	msgEmptyStatement   = "Could not parse the policy: Statement is empty!"
	msgDuplicateSid     = "Statement IDs (SID) in a single policy must be unique."
	msgInvalidPrincipal = "Invalid principal in policy"
	msgNoPrincipal      = "Policy document should not specify a principal."
	msgInvalidAction    = "Policy has invalid action"
	msgInvalidResource  = "Policy has invalid resource"
	msgActionResource   = "Action does not apply to any resource(s) in statement"
)

func msgMissingField(name string) string    { return "Missing required field " + name }
func msgUnknownField(name string) string    { return "Unknown field " + plain(name) }
func msgDuplicateField(name string) string  { return "Duplicate field " + plain(name) }
func msgInvalidEffect(effect string) string { return "Invalid effect: " + plain(effect) }
func msgInvalidOperator(op string) string   { return "Invalid Condition type : " + plain(op) }

// plain returns a name from the document as is when it is short printable
// ASCII, as AWS prints it, and quoted otherwise so that it cannot break a
// message or a log line.
func plain(s string) string {
	if len(s) > 64 {
		return quote(s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return quote(s)
		}
	}
	return s
}
