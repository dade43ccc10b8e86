{{- /*
  The lease of an open deletion request (extension/datarightsextension, lease.go): owner is the
  collector instance running it (data_rights::instance, TELEMETRY_GATEWAY_ID), lease_until how long
  it stays that collector's without a renewal. Another collector of the fleet takes over an open
  request whose lease has passed. Rows written before this column existed have no owner and an
  expired lease: the first collector to look resumes them.
*/ -}}
ALTER TABLE {{.Table}}{{.OnCluster}} ADD COLUMN IF NOT EXISTS owner String DEFAULT '' CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS lease_until DateTime64(3) DEFAULT 0 CODEC(Delta(8), ZSTD(1))
