package eventsreceiver // import "github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver"

import (
	"errors"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// EventAsLogs turns one event in the track-event API's JSON (what POST /events takes) into the
// log record this receiver would send down the pipeline for tenant, with the default limits. The
// privacy policy's dry run uses it so an event sample is judged exactly as an ingested one.
func EventAsLogs(body []byte, tenant string, now time.Time) (plog.Logs, error) {
	def := createDefaultConfig().(*Config)
	lim := decodeLimits{maxEvents: def.MaxBatchEvents, maxDepth: def.MaxPropertyDepth, maxKeys: def.MaxPropertyKeys, maxValue: def.MaxPropertyValueBytes}
	ri := reqInfo{tenant: tenant, service: def.ServiceName, now: pcommon.NewTimestampFromTime(now)}
	d, rerr := decodeSingle(body, lim, &ri)
	if rerr != nil {
		return plog.Logs{}, errors.New(rerr.message)
	}
	if len(d.errors) > 0 {
		return plog.Logs{}, errors.New(d.errors[0].Field + " " + d.errors[0].Message)
	}
	return d.logs, nil
}
