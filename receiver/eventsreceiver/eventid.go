package eventsreceiver

import "github.com/google/uuid"

// newEventID names an event the client sent without event_id: a UUIDv7, time-ordered (its
// timestamp is the receipt time, not the event's) and unique without coordination across a fleet.
// It cannot fail: crypto/rand does not return errors (Go 1.24+).
func newEventID() string { return uuid.Must(uuid.NewV7()).String() }
