package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

// modeActions is the default action of each free-text detector per mode; a
// detector absent from a mode's map is off in that mode. This table is the
// source of the modes table in README.md (TestModesTableInReadme keeps them
// in sync).
var modeActions = map[Mode]map[string]Action{
	ModeStrict: {
		"url_credentials": ActionRedact, "query_param": ActionRedact, "jwt": ActionRedact,
		"bearer": ActionRedact, "secret": ActionRedact, "email": ActionRedact, "card": ActionRedact,
		"iban": ActionRedact, "ssn": ActionRedact, "phone": ActionRedact,
		// ip: anonymize when anonymize_ips, else redact (see ruleAction).
		"ip": ActionRedact,
		// query_id: hash when hash_identifiers, else redact (see ruleAction).
		"query_id": ActionRedact,
		// Issue 25: free-text personal data.
		"device_id": ActionRedact, "national_id": ActionRedact, "date_of_birth": ActionRedact,
		// geo: truncated to 1 decimal (≈ 11 km), see geoDecimals.
		"geo": ActionAnonymize,

		// Names and postal addresses (internal/detect/person_name.go, postal_address.go).
		"person_name": ActionRedact, "postal_address": ActionRedact,
	},
	ModeBalanced: {
		"url_credentials": ActionRedact, "query_param": ActionRedact, "jwt": ActionRedact,
		"bearer": ActionRedact, "secret": ActionRedact, "email": ActionMask, "card": ActionMask,
		"iban": ActionMask, "ssn": ActionRedact, "phone": ActionMask, "query_id": ActionRedact,
		// Issue 25: free-text personal data.
		"device_id": ActionMask, "national_id": ActionRedact, "date_of_birth": ActionRedact,
		// geo: kept coarse, 2 decimals (≈ 1 km).
		"geo": ActionAnonymize,

		// Names and postal addresses (internal/detect/person_name.go, postal_address.go).
		"person_name": ActionRedact, "postal_address": ActionRedact,
	},
	ModeMinimal: {
		"url_credentials": ActionRedact, "query_param": ActionRedact, "jwt": ActionRedact,
		"bearer": ActionRedact, "secret": ActionRedact, "card": ActionRedact,
	},
}

// ruleAction is the effective action of a detector: the configured override,
// else the mode's default (keep when the mode does not run it).
func ruleAction(cfg *Config, name string) Action {
	if a, ok := cfg.Actions[name]; ok {
		return a
	}
	a, ok := modeActions[cfg.Mode][name]
	if !ok {
		return ActionKeep
	}
	if name == "ip" && cfg.Mode == ModeStrict && cfg.AnonymizeIPs {
		return ActionAnonymize
	}
	// An identifier in a URL gets the token its identifier field gets.
	if name == "query_id" && cfg.HashIdentifiers {
		return ActionHash
	}
	return a
}

// keyRulesApply reports whether hash_identifiers and anonymize_ips apply in
// the mode: minimal keeps identifiers and addresses.
func keyRulesApply(m Mode) bool { return m != ModeMinimal }

// geoDecimals is how many decimals the anonymize action leaves of a coordinate: strict truncates
// like an IP to its network (1 decimal, ≈ 11 km), other modes keep it coarse (2 decimals, ≈ 1 km;
// the geo detector reports 3 and more, so the output is not found again).
func geoDecimals(m Mode) int {
	if m == ModeStrict {
		return 1
	}
	return 2
}
