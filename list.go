package coffer

import "time"

// ListQuery selects keys in lexical (byte) order. Keys sharing the part of
// their name after Prefix up to the first Delimiter are rolled up into one
// common prefix.
type ListQuery struct {
	Prefix    string
	Delimiter string
	After     string // exclusive start: only keys (and prefixes) > After
	Limit     int    // objects plus common prefixes per page; 1..1000
}

// ListPage is one page of a listing.
type ListPage struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	Truncated      bool
	// NextAfter is the last key or common prefix returned; the next page
	// starts after it.
	NextAfter string
}

// UploadQuery selects in-progress multipart uploads.
type UploadQuery struct {
	Prefix         string
	Delimiter      string
	KeyMarker      string
	UploadIDMarker string
	Limit          int
}

// UploadInfo describes an in-progress multipart upload.
type UploadInfo struct {
	Bucket       string
	Key          string
	UploadID     string
	Initiated    time.Time
	Meta         ObjectMeta
	Encryption   EncryptionInfo
	Checksum     ChecksumAlgorithm
	ChecksumType ChecksumType
}

// UploadPage is one page of ListMultipartUploads.
type UploadPage struct {
	Uploads            []UploadInfo
	CommonPrefixes     []string
	Truncated          bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// PartQuery pages through the parts of an upload.
type PartQuery struct {
	After       int // part-number-marker
	Limit       int
	CustomerKey *CustomerKey
}

// PartPage is one page of ListParts.
type PartPage struct {
	Upload    UploadInfo
	Parts     []PartInfo
	Truncated bool
	NextAfter int
}
