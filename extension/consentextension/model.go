package consentextension

import "fmt"

// Status is the recorded consent of one (tenant, user, purpose). The values match the Enum8 of
// telemetry_consents.status; StatusNone means no record.
type Status uint8

const (
	StatusNone      Status = 0
	StatusGranted   Status = 1
	StatusDenied    Status = 2
	StatusWithdrawn Status = 3 // denied after having been granted
)

var statusNames = [...]string{"none", "granted", "denied", "withdrawn"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

func parseStatus(s string) (Status, bool) {
	for i, n := range statusNames {
		if n == s && i > 0 {
			return Status(i), true
		}
	}
	return StatusNone, false
}

// Policy is what applies to a user without a record for a purpose.
type Policy uint8

const (
	// PolicyOptOut: no record means consented; only a denial (or withdrawal) stops collection.
	PolicyOptOut Policy = iota
	// PolicyOptIn: no record means not consented; only a grant allows collection.
	PolicyOptIn
)

func (p Policy) String() string {
	if p == PolicyOptIn {
		return "opt_in"
	}
	return "opt_out"
}

// Reason explains a decision; it is the reason label of the processor's metrics.
type Reason uint8

const (
	ReasonGranted       Reason = iota // a grant is recorded
	ReasonDenied                      // a denial is recorded
	ReasonWithdrawn                   // a withdrawal is recorded
	ReasonDefaultOptIn                // no record, opt-in policy: not consented
	ReasonDefaultOptOut               // no record, opt-out policy: consented
	// ReasonStoreIncomplete: no record, but the store hit max_entries and may be missing the user's
	// record, so the decision fails closed.
	ReasonStoreIncomplete
	numReasons
)

// NumReasons is the number of Reason values, for arrays indexed by Reason.
const NumReasons = int(numReasons)

var reasonNames = [...]string{"granted", "denied", "withdrawn", "default_opt_in", "default_opt_out", "store_incomplete"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// decide applies policy to a looked-up status. incomplete is true when the store may lack records.
func decide(st Status, p Policy, incomplete bool) (bool, Reason) {
	switch st {
	case StatusGranted:
		return true, ReasonGranted
	case StatusDenied:
		return false, ReasonDenied
	case StatusWithdrawn:
		return false, ReasonWithdrawn
	}
	switch {
	case incomplete:
		return false, ReasonStoreIncomplete
	case p == PolicyOptIn:
		return false, ReasonDefaultOptIn
	default:
		return true, ReasonDefaultOptOut
	}
}
