package requestlimitsextension

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// checkProto walks an OTLP protobuf request of type m. It reads tags and lengths only: nothing is
// allocated per record, so a request of a million empty records costs a pass over its bytes.
func checkProto(b []byte, m *message, lim *Limits) *refusal {
	c := &checker{lim: lim, path: make([]seg, 0, 16)}
	c.protoMessage(b, m, 0)
	return c.err
}

func (c *checker) protoMessage(b []byte, m *message, depth int) {
	var counts [maxFields]int
	for len(b) > 0 && c.err == nil {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			c.malformed("protobuf")
			return
		}
		b = b[n:]
		var f *field
		if int(num) < len(m.byNum) {
			f = m.byNum[num]
		}
		if f == nil { // unknown field: skipped by the receiver too
			if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
				c.malformed("protobuf")
				return
			}
			b = b[n:]
			continue
		}
		c.push(f.name)
		b = c.protoField(b, f, typ, &counts[f.pos], depth)
		c.pop()
		if b == nil {
			return
		}
	}
}

// protoField checks one occurrence of f and returns the rest of the message (nil on a refusal).
func (c *checker) protoField(b []byte, f *field, typ protowire.Type, count *int, depth int) []byte {
	if f.kind == kMessage || f.kind == kString || f.kind == kKey || f.kind == kBytes {
		if typ != protowire.BytesType {
			c.malformed("protobuf (wrong wire type)")
			return nil
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			c.malformed("protobuf")
			return nil
		}
		if f.repeated {
			c.at(*count)
		}
		i := *count
		*count++
		if f.kind != kMessage {
			if !c.size(f.kind, len(v)) {
				return nil
			}
			return b[n:]
		}
		switch f.role {
		case roleRecord:
			if !c.record() {
				return nil
			}
		case roleAttrs:
			if !c.value(i) {
				return nil
			}
		case roleElems:
			if !c.value(-1) {
				return nil
			}
		case roleNest:
			depth++
			if !c.nest(depth) {
				return nil
			}
		}
		c.protoMessage(v, f.msg, depth)
		if c.err != nil {
			return nil
		}
		return b[n:]
	}
	if f.kind == kTime && typ == protowire.Fixed64Type {
		v, n := protowire.ConsumeFixed64(b)
		if n < 0 {
			c.malformed("protobuf")
			return nil
		}
		if v > math.MaxInt64 {
			c.invalid("is %d ns, past the last representable time (2262-04-11, %d ns)", v, uint64(math.MaxInt64))
			return nil
		}
		return b[n:]
	}
	n := protowire.ConsumeFieldValue(f.num, typ, b)
	if n < 0 {
		c.malformed("protobuf")
		return nil
	}
	return b[n:]
}
