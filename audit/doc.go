// Package audit is Coffer's audit trail: an append-only, tamper-evident
// log of CloudTrail-style events (every KMS operation, and security events
// of S3), queryable as CloudTrail's LookupEvents is and exportable as JSON
// lines. *Log implements coffer.Auditor.
//
// # Records
//
// Each event is one line of JSON in the shape of a CloudTrail record
// (eventVersion, userIdentity, eventTime, eventSource, eventName,
// awsRegion, sourceIPAddress, userAgent, errorCode, errorMessage,
// requestParameters, responseElements, additionalEventData, requestID,
// eventID, readOnly, resources, eventType, recipientAccountId, tlsDetails),
// followed by two members of the trail's own: seq (1, 2, 3, ...) and chain.
// Lines go to segment files under the trail's directory, a new one every
// 64 MiB by default. FORMAT.md has the byte layouts.
//
// # Tamper evidence
//
// chain(n) = HMAC-SHA256(k, chain(n-1) || the record's bytes up to and
// including seq), with k derived from a 32-byte key the caller derives from
// the root key. A small head file holds the last seq and chain under a MAC
// and is rewritten after every batch. Verify recomputes every chain, checks
// that seqs run 1, 2, 3, ... across segments, and that the trail reaches
// the record the head names; it reports the first damage found: edited,
// deleted, reordered, truncated, head missing or invalid, or a trail made
// with another key.
//
// Threat model. The attacker has the disk (can read, edit, delete, reorder
// and replace files) but not the root key. Then any edit, deletion,
// insertion or reordering of records, and dropping records from the end,
// is detected, because recomputing a chain or the head's MAC needs the key.
// What the chain does not prove: (1) Rollback: a copy of the whole trail
// taken earlier (segments and head together) verifies, so an attacker who
// kept one can replace the trail with it and erase everything since. Keep
// Report.LastSeq and LastChain (coffer audit verify prints them) somewhere
// the attacker cannot write, or export regularly, to detect that. (2) The
// unsynced tail: records written after the last head update (at most one
// batch, about 100 ms, and only while a server runs or right after a
// crash) are vouched for by nothing, so cutting them is indistinguishable
// from a crash; Open records every such cut as an AuditLogRecovered event.
// (3) Secrecy: records are not encrypted; they hold no key material or
// secrets, but do hold names, ARNs, IP addresses and encryption contexts,
// so the directory is private (0700). (4) Anyone with the key can forge a
// whole trail: the key must be as safe as the root key it comes from.
//
// # Durability and performance
//
// Record never fails a request and does not block it for long: it encodes
// the event in the caller's goroutine and queues it (bounded). One writer
// goroutine seals queued records (seq, chain), appends them and fsyncs in
// batches: every 100 ms, or at once when 1024 wait (group commit), then
// rewrites the head. A crash loses at most the last unsynced batch, and
// Verify still passes afterwards: a torn final line past the head is not
// damage, and Open truncates it and records the recovery. When the queue
// is full (the disk failing or stalled) Record waits up to two seconds
// rather than drop, then drops, counting it in Stats.Dropped and logging;
// a dropped event is a failure to fix, never a silent one. Failed writes
// are retried from the last synced byte with the same sealed bytes, so a
// retry never forks the chain.
//
// Open checks the end of the trail (from the segment holding the head's
// record) and refuses a damaged trail: appending to it would bury the
// damage. Verify and ExportDir only read and may run beside a server.
// On Unix an flock on LOCK keeps a second process from opening the same
// trail; elsewhere nothing does, and one process per trail is the rule.
//
// Lookups scan segments backwards, newest first, holding one page and one
// read buffer; NextTokens are MACed and bound to the query's attributes
// and times.
//
// This package must not import net/http (the HTTP API is audit/auditapi);
// among Coffer's packages it imports only the domain package.
package audit
