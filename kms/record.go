package kms

import (
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// KeyManagerType says who manages a key: the caller ("CUSTOMER") or a
// service on the caller's behalf ("AWS", e.g. alias/aws/s3).
type KeyManagerType string

const (
	KeyManagerCustomer KeyManagerType = "CUSTOMER"
	KeyManagerAWS      KeyManagerType = "AWS"
)

// RotationType says how a key material version came to be.
type RotationType string

const (
	RotationAutomatic RotationType = "AUTOMATIC"
	RotationOnDemand  RotationType = "ON_DEMAND"
)

// keyRecord is everything the KMS keeps about a key, stored as JSON inside
// a sealed envelope (FORMAT.md §3): metadata and every key material
// version, oldest first; the last one is current.
type keyRecord struct {
	ID                  string           `json:"id"`
	Created             time.Time        `json:"created"`
	Description         string           `json:"description"`
	State               KeyState         `json:"state"`
	Manager             KeyManagerType   `json:"manager"`
	DeletionDate        time.Time        `json:"deletionDate,omitzero"`
	PendingWindowInDays int32            `json:"pendingWindowInDays,omitempty"`
	Policy              string           `json:"policy"`
	Tags                []Tag            `json:"tags,omitempty"`
	Rotation            rotationRecord   `json:"rotation"`
	OnDemandRotations   int              `json:"onDemandRotations,omitempty"`
	Materials           []materialRecord `json:"materials"`
}

// rotationRecord is a key's automatic rotation schedule.
type rotationRecord struct {
	Enabled      bool  `json:"enabled"`
	PeriodInDays int32 `json:"periodInDays,omitempty"`
	// Anchor is when the schedule last started: rotation enabled, or the
	// last automatic rotation. The next rotation is due Anchor + period.
	Anchor time.Time `json:"anchor,omitzero"`
}

func (r rotationRecord) next() time.Time {
	return r.Anchor.Add(time.Duration(r.PeriodInDays) * 24 * time.Hour)
}

// materialRecord is one version of a key's material.
type materialRecord struct {
	ID       string       `json:"id"` // 64 hex digits, FORMAT.md §2
	Secret   []byte       `json:"secret"`
	Created  time.Time    `json:"created"`
	Rotation RotationType `json:"rotationType,omitempty"` // "" for the key's original material
}

// aliasRecord is one alias, stored sealed like keys so it cannot be
// pointed elsewhere on disk unnoticed.
type aliasRecord struct {
	Name        string    `json:"name"` // "alias/<name>"
	TargetKeyID string    `json:"targetKeyId"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// key is a loaded key: its record (never mutated once published; updates
// publish a new *key) and its material ready for use.
type key struct {
	rec       keyRecord
	arn       string
	binID     [16]byte // the key id as blobs carry it
	materials map[materialID]*material
	current   *material
}

type materialID [32]byte

func (id materialID) String() string { return hex.EncodeToString(id[:]) }

type material struct {
	id     materialID
	secret []byte
}

func (k *KMS) newKey(rec keyRecord) (*key, error) {
	if len(rec.Materials) == 0 {
		return nil, fmt.Errorf("kms: key %s has no key material", rec.ID)
	}
	binID, err := uuidBytes(rec.ID)
	if err != nil {
		return nil, err
	}
	kk := &key{rec: rec, arn: k.keyARN(rec.ID), binID: binID, materials: make(map[materialID]*material, len(rec.Materials))}
	for _, m := range rec.Materials {
		if len(m.Secret) != materialSize {
			return nil, fmt.Errorf("kms: key %s has key material of %d bytes", rec.ID, len(m.Secret))
		}
		id := deriveMaterialID(m.Secret)
		if id.String() != m.ID {
			return nil, fmt.Errorf("kms: key %s: key material id %s does not match its material", rec.ID, m.ID)
		}
		mat := &material{id: id, secret: m.Secret}
		kk.materials[id] = mat
		kk.current = mat
	}
	return kk, nil
}

// edit returns a copy of the record to change and publish; key material
// bytes are shared (they never change).
func (kk *key) edit() keyRecord {
	rec := kk.rec
	rec.Tags = slices.Clone(rec.Tags)
	rec.Materials = slices.Clone(rec.Materials)
	return rec
}
