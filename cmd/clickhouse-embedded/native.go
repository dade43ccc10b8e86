package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// readerBuf matches ch-go's proto.Reader buffer size: handing it a
// *bufio.Reader at least that large makes it use ours instead of wrapping,
// so the number of bytes consumed stays observable.
const readerBuf = 128 << 10

// blockInfo is the BlockInfo a server writes before each block when the
// client announced a protocol revision: is_overflows=false, bucket_num=-1.
var blockInfo = []byte{1, 0, 2, 0xff, 0xff, 0xff, 0xff, 0}

// upgradeNative rewrites chDB's revision-0 Native output into the Native
// variant a ClickHouse server sends to a client that passed
// client_protocol_version=rev: each block gets the BlockInfo header and, from
// revision 54454 on, a "no custom serialization" byte per column.
// Column data is copied byte for byte; clickhouse-go's column decoders are
// only used to find where each column ends.
func upgradeNative(data []byte, rev uint64) ([]byte, error) {
	if rev == 0 || len(data) == 0 {
		return data, nil
	}
	src := bytes.NewReader(data)
	br := bufio.NewReaderSize(src, readerBuf)
	rd := chproto.NewReader(br)
	pos := func() int { return len(data) - src.Len() - br.Buffered() }
	// Decoders consult the server version for a few evolving types (JSON).
	sc := &column.ServerContext{Revision: rev, VersionMajor: 26, VersionMinor: 5, Timezone: time.UTC}

	out := make([]byte, 0, len(data)+64)
	var w chproto.Buffer
	for block := 0; pos() < len(data); block++ {
		out = append(out, blockInfo...)
		cols, err := rd.UVarInt()
		if err != nil {
			return nil, nativeError(block, "", err)
		}
		rows, err := rd.UVarInt()
		if err != nil {
			return nil, nativeError(block, "", err)
		}
		w.Reset()
		w.PutUVarInt(cols)
		w.PutUVarInt(rows)
		out = append(out, w.Buf...)
		for range cols {
			name, err := rd.Str()
			if err != nil {
				return nil, nativeError(block, "", err)
			}
			typ, err := rd.Str()
			if err != nil {
				return nil, nativeError(block, name, err)
			}
			w.Reset()
			w.PutString(name)
			w.PutString(typ)
			if rev >= proto.DBMS_MIN_REVISION_WITH_CUSTOM_SERIALIZATION {
				w.PutBool(false)
			}
			out = append(out, w.Buf...)
			if rows == 0 {
				continue
			}
			start := pos()
			if err := skipColumn(rd, name, typ, int(rows), sc); err != nil {
				return nil, nativeError(block, name, err)
			}
			out = append(out, data[start:pos()]...)
		}
	}
	return out, nil
}

func skipColumn(rd *chproto.Reader, name, typ string, rows int, sc *column.ServerContext) error {
	c, err := column.Type(typ).Column(name, sc)
	if err != nil {
		return err
	}
	if s, ok := c.(column.CustomSerialization); ok {
		if err := s.ReadStatePrefix(rd); err != nil {
			return err
		}
	}
	return c.Decode(rd, rows)
}

func nativeError(block int, col string, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	where := fmt.Sprintf("block %d", block)
	if col != "" {
		where += fmt.Sprintf(", column %q", col)
	}
	return &chError{
		code:   codeNotImplemented,
		msg:    fmt.Sprintf("Code: %d. DB::Exception: clickhouse-embedded cannot convert chDB's Native output for client_protocol_version (%s): %v. Use another FORMAT or a real ClickHouse. (NOT_IMPLEMENTED)", codeNotImplemented, where, err),
		status: 500,
	}
}
