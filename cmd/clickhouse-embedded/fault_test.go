package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCutInsertResponses(t *testing.T) {
	c, err := parseCut("")
	require.NoError(t, err)
	assert.Nil(t, c)
	assert.False(t, c.take([]byte("INSERT INTO t VALUES")), "no fault configured")

	for _, bad := range []string{"telemetry_logs", "telemetry_logs:0", ":2", "t:x"} {
		_, err := parseCut(bad)
		assert.Error(t, err, bad)
	}

	c, err = parseCut("telemetry_logs:2")
	require.NoError(t, err)
	assert.False(t, c.take([]byte("SELECT * FROM telemetry_logs")), "only INSERTs")
	assert.False(t, c.take([]byte("INSERT INTO `db`.`telemetry_spans` FORMAT Native")), "only the named table")
	assert.True(t, c.take([]byte("  insert into `db`.`telemetry_logs` (a) FORMAT Native\n...")))
	assert.True(t, c.take([]byte("INSERT INTO `db`.`telemetry_logs` FORMAT Native")))
	assert.False(t, c.take([]byte("INSERT INTO `db`.`telemetry_logs` FORMAT Native")), "only the first n")
}
