// Package kmsapi serves the AWS KMS JSON 1.1 protocol over HTTP in front of
// a kms.KMS: POST / with X-Amz-Target: TrentService.<Operation>, a JSON
// body, SigV4 with service "kms". It authenticates the caller, puts the
// principal and the request's facts (coffer.Principal, coffer.RequestInfo)
// in the context, decodes the request into the operation's input type,
// calls the KMS and encodes the output (timestamps as epoch seconds, blobs
// as base64). Every failure, authentication included, goes through one
// error renderer: {"__type": Code, "message": Message} with the
// X-Amzn-ErrorType header, 400 for client errors, 500 (public text only)
// for internal ones.
//
// Among Coffer's packages this package may import only the root package
// coffer, kms and sigv4.
package kmsapi
