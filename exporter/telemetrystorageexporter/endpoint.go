package telemetrystorageexporter

import "net/url"

// redactedEndpoint is the endpoint for logs and errors, without any
// password given in the DSN.
func redactedEndpoint(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "<unparsable endpoint>"
	}
	return u.Redacted()
}
