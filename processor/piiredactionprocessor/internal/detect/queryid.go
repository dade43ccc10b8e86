package detect

// QueryID finds the values of URL query parameters named like a person's
// identifier (user_id, uid, userId, customer_id, account, ...; see
// IsIdentifierParam) in free text: "GET /orders?user_id=u-555 failed". The
// processor hashes them into the identifier token when identifiers are
// hashed, so the value stays joinable with the record's user.id.
type QueryID struct{}

// Name implements Detector.
func (QueryID) Name() string { return "query_id" }

// Candidate implements Detector.
func (QueryID) Candidate(c Class) bool {
	return c.Has(ClassQuestion | ClassEq)
}

// Find implements Detector.
func (QueryID) Find(s string, dst []Span) []Span {
	return findParams(s, dst, identifierNotSensitive)
}

// identifierNotSensitive leaves session ids and the like, which are also
// credentials, to QueryParam.
func identifierNotSensitive(name string) bool {
	return IsIdentifierParam(name) && !isSensitiveParam(name)
}
