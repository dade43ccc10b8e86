package requestlimitsextension

import (
	"io"
	"math"
	"strconv"

	jsoniter "github.com/json-iterator/go"
)

// checkJSON walks an OTLP/JSON request of type m: the limits of checkProto, and every known field
// has the JSON type OTLP/JSON gives it (the receiver answers a wrong type with an error that does
// not say which field, or with a 500).
func checkJSON(b []byte, m *message, lim *Limits) *refusal {
	c := &checker{lim: lim, path: make([]seg, 0, 16)}
	it := jsoniter.ConfigFastest.BorrowIterator(b)
	defer jsoniter.ConfigFastest.ReturnIterator(it)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		c.malformed("JSON: the request must be an object")
		return c.err
	}
	c.jsonMessage(it, m, 0)
	if it.Error != nil && it.Error != io.EOF && (c.err == nil || c.err.reason == reasonInvalidField) {
		c.err = nil // a syntax error explains a type seen at the wrong place
		c.malformed("JSON")
	}
	return c.err
}

func (c *checker) jsonMessage(it *jsoniter.Iterator, m *message, depth int) {
	switch it.WhatIsNext() {
	case jsoniter.InvalidValue:
		c.malformed("JSON")
		return
	case jsoniter.NilValue:
		it.Skip()
		return
	case jsoniter.ObjectValue:
	default:
		it.Skip()
		c.invalid("must be an object")
		return
	}
	it.ReadObjectCB(func(it *jsoniter.Iterator, key string) bool {
		f := m.lookup(key)
		if f == nil {
			it.Skip()
			return it.Error == nil
		}
		c.push(f.name)
		if f.repeated {
			c.jsonRepeated(it, f, depth)
		} else {
			c.jsonField(it, f, 0, depth)
		}
		c.pop()
		return c.err == nil && it.Error == nil
	})
}

func (c *checker) jsonRepeated(it *jsoniter.Iterator, f *field, depth int) {
	switch it.WhatIsNext() {
	case jsoniter.InvalidValue:
		c.malformed("JSON")
		return
	case jsoniter.NilValue:
		it.Skip()
		return
	case jsoniter.ArrayValue:
	default:
		it.Skip()
		c.invalid("must be an array")
		return
	}
	i := 0
	it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
		c.at(i)
		c.jsonField(it, f, i, depth)
		i++
		return c.err == nil && it.Error == nil
	})
}

// jsonField checks one value of f; i is its index when f is repeated.
func (c *checker) jsonField(it *jsoniter.Iterator, f *field, i, depth int) {
	next := it.WhatIsNext()
	switch next {
	case jsoniter.InvalidValue:
		c.malformed("JSON")
		return
	case jsoniter.NilValue:
		it.Skip()
		return
	}
	switch f.kind {
	case kMessage:
		switch f.role {
		case roleRecord:
			if !c.record() {
				return
			}
		case roleAttrs:
			if !c.value(i) {
				return
			}
		case roleElems:
			if !c.value(-1) {
				return
			}
		case roleNest:
			depth++
			if !c.nest(depth) {
				return
			}
		}
		c.jsonMessage(it, f.msg, depth)
	case kString, kKey, kBytes:
		if next != jsoniter.StringValue {
			it.Skip()
			c.invalid("must be a string")
			return
		}
		c.size(f.kind, len(it.ReadString()))
	case kBool:
		if next != jsoniter.BoolValue {
			it.Skip()
			c.invalid("must be true or false")
			return
		}
		it.Skip()
	case kDouble:
		s, ok := c.jsonNumber(it, next, "a number")
		if !ok {
			return
		}
		if next == jsoniter.StringValue && s != "NaN" && s != "Infinity" && s != "-Infinity" {
			if _, err := strconv.ParseFloat(s, 64); err != nil {
				c.invalid("must be a number, \"NaN\", \"Infinity\" or \"-Infinity\", got %s", quote(s))
			}
		}
	case kEnum:
		if next == jsoniter.StringValue {
			it.Skip() // the value's name; the receiver knows the names
			return
		}
		if s, ok := c.jsonNumber(it, next, "an integer or the value's name"); ok {
			if _, err := strconv.ParseInt(s, 10, 32); err != nil {
				c.invalid("must be an integer or the value's name, got %s", quote(s))
			}
		}
	default:
		s, ok := c.jsonNumber(it, next, "an integer")
		if ok {
			c.jsonInteger(f.kind, s)
		}
	}
}

// jsonNumber reads a number, or a string holding one (OTLP/JSON writes 64-bit integers as strings).
func (c *checker) jsonNumber(it *jsoniter.Iterator, next jsoniter.ValueType, want string) (string, bool) {
	switch next {
	case jsoniter.NumberValue:
		return string(it.ReadNumber()), true
	case jsoniter.StringValue:
		return it.ReadString(), true
	}
	it.Skip()
	c.invalid("must be %s", want)
	return "", false
}

func (c *checker) jsonInteger(k kind, s string) {
	var err error
	switch k {
	case kTime:
		var v uint64
		if v, err = strconv.ParseUint(s, 10, 64); err == nil && v > math.MaxInt64 {
			c.invalid("is %s ns, past the last representable time (2262-04-11, %d ns)", quote(s), uint64(math.MaxInt64))
			return
		}
		if err != nil {
			c.invalid("must be a non-negative integer of nanoseconds since 1970-01-01 (at most %d), as a number or a string; got %s", uint64(math.MaxInt64), quote(s))
			return
		}
	case kUint64:
		_, err = strconv.ParseUint(s, 10, 64)
	case kInt64:
		_, err = strconv.ParseInt(s, 10, 64)
	case kUint32:
		_, err = strconv.ParseUint(s, 10, 32)
	case kInt32:
		_, err = strconv.ParseInt(s, 10, 32)
	}
	if err != nil {
		c.invalid("must be an integer in range for the field, got %s", quote(s))
	}
}
