package requestlimitsextension

import (
	"context"
	"reflect"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
)

// GetGRPCServerOptions puts the checks in front of the OTLP/gRPC receiver's decoding. gRPC decodes
// a request before any interceptor sees it, so the check runs in the codec: a request over a limit
// is not decoded at all, and the codec leaves its verdict for the interceptor, which answers
// RESOURCE_EXHAUSTED or INVALID_ARGUMENT. The message size is bounded before that by the
// receiver's max_recv_msg_size_mib. The interceptor is installed as the server's first one
// (grpc.UnaryInterceptor), so no other interceptor can end the call before the verdict is taken.
func (e *limitsExtension) GetGRPCServerOptions(context.Context) ([]grpc.ServerOption, error) {
	c := &limitsCodec{delegate: encoding.GetCodecV2("proto"), ext: e}
	return []grpc.ServerOption{
		grpc.ForceServerCodecV2(c),
		grpc.UnaryInterceptor(e.intercept),
	}, nil
}

// refusalTable maps a request message (by pointer) to its refusal, from the codec to the interceptor.
type refusalTable struct{ m sync.Map }

type protoUnmarshaler interface{ UnmarshalProto([]byte) error }

type limitsCodec struct {
	delegate encoding.CodecV2
	ext      *limitsExtension
}

func (c *limitsCodec) Name() string { return c.delegate.Name() }

func (c *limitsCodec) Marshal(v any) (mem.BufferSlice, error) { return c.delegate.Marshal(v) }

func (c *limitsCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m := grpcMessage(v)
	u, ok := v.(protoUnmarshaler)
	if m == nil || !ok {
		return c.delegate.Unmarshal(data, v)
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	b := buf.ReadOnlyData()
	if ref := checkProto(b, m, c.ext.lim); ref != nil {
		c.ext.refusals.m.Store(v, ref) // v stays empty: nothing is decoded
		return nil
	}
	return u.UnmarshalProto(b)
}

// grpcMessage is the OTLP request type of a decoded-into value (pdata's own request types).
func grpcMessage(v any) *message {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer {
		return nil
	}
	switch t.Elem().Name() {
	case "ExportLogsServiceRequest":
		return logsRequest
	case "ExportTraceServiceRequest":
		return tracesRequest
	case "ExportMetricsServiceRequest":
		return metricsRequest
	}
	return nil
}

func (e *limitsExtension) intercept(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if v, ok := e.refusals.m.LoadAndDelete(req); ok {
		ref := v.(*refusal)
		e.refused(ctx, "grpc", grpcMessage(req), ref)
		code := codes.InvalidArgument
		if ref.reason != reasonInvalidField && ref.reason != reasonMalformed {
			code = codes.ResourceExhausted
		}
		return nil, status.Error(code, ref.msg)
	}
	return handler(ctx, req)
}
