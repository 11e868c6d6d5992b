// Package postpolicy authenticates browser-form uploads (S3 PostObject): it
// verifies the SigV4 signature over the base64 policy, decodes the policy
// document and checks the form against its expiration and conditions.
//
// The caller (s3api) parses the multipart/form-data body and hands over the
// fields before the file part, names lower-cased, repeated fields joined
// with ','. The caller also
//   - expands ${filename} in every field before Check, as S3 does ("all
//     variables within the form are expanded prior to validating the POST
//     policy"), with the text after the file name's last '/' or '\';
//   - sets fields["bucket"] to the bucket the request targets, so a
//     {"bucket": ...} condition is checked against the URL, not the form;
//   - calls Check(fields, -1) before reading the file, then CheckLength (or
//     bounds the read with MaxLength) and commits nothing until it passes.
//
// Failures carry S3's public wording: *Error for policy failures
// ("Invalid according to Policy: ...", "Invalid Policy: ..."), *SizeError
// for content-length-range, *coffer.ArgumentError (wrapped) for missing or
// malformed form fields, *sigv4.SignatureError for a bad signature.
//
// This package imports the standard library, coffer and sigv4 only.
package postpolicy
