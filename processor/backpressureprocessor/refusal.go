package backpressureprocessor

import (
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// refusal is a retryable refusal from further down the pipeline (memory_limiter, a full sending
// queue) carrying a gRPC UNAVAILABLE status with RetryInfo: the OTLP receiver turns it into HTTP 503
// with Retry-After and passes the RetryInfo to gRPC clients, which wait that long before retrying.
type refusal struct {
	err error
	st  *status.Status
}

func (r *refusal) Error() string              { return r.err.Error() }
func (r *refusal) Unwrap() error              { return r.err }
func (r *refusal) GRPCStatus() *status.Status { return r.st }

// annotate gives a retryable error the status with retry info; permanent errors (bad data) and
// errors that already carry a gRPC status are passed on as they are.
func annotate(err error, delay time.Duration) error {
	if err == nil || consumererror.IsPermanent(err) {
		return err
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	st, detailErr := status.New(codes.Unavailable, err.Error()).WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)})
	if detailErr != nil {
		return err
	}
	return &refusal{err: err, st: st}
}
