package datarightsextension

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJournal(t *testing.T) {
	none, err := newJournal("")
	require.NoError(t, err)
	assert.Nil(t, none)

	dir := t.TempDir()
	j, err := newJournal(dir)
	require.NoError(t, err)
	got, err := j.load()
	require.NoError(t, err)
	assert.Empty(t, got)

	entries := []journalEntry{{Tenant: "acme", ID: "dr_1", Subject: "dsr:1", UserID: "alice", AcceptedAt: 1}, {Tenant: "acme", ID: "dr_2", UserID: "bob"},
		{Tenant: "acme", ID: "dr_3", UserID: "carol", From: 1000, To: 2000}, {Tenant: "acme", ID: "dr_4", EventID: "ev-1"}}
	require.NoError(t, j.write(entries))
	got, err = j.load()
	require.NoError(t, err)
	assert.Equal(t, entries, got)

	// A torn last line (a crash while appending) is skipped, the rest is read.
	f, err := os.OpenFile(filepath.Join(dir, journalFile), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, _ = f.WriteString(`{"tenant":"acme","request_id":"dr_3","us`)
	require.NoError(t, f.Close())
	got, err = j.load()
	require.NoError(t, err)
	assert.Len(t, got, 4)

	// Nothing waits: the file (and the raw ids in it) is removed.
	require.NoError(t, j.write(nil))
	_, err = os.Stat(filepath.Join(dir, journalFile))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
