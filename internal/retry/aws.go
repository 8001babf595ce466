package retry

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// retryableAWSCodes are AWS error codes worth retrying whatever the status.
var retryableAWSCodes = map[string]bool{
	"ThrottlingException": true, "throttlingException": true,
	"ServiceUnavailableException": true, "serviceUnavailableException": true,
	"InternalServerException": true, "internalServerException": true,
	"ModelNotReadyException": true, "modelNotReadyException": true,
	"ModelTimeoutException": true, "TooManyRequestsException": true,
}

// cutShort reports whether err is a transport failure while a body was
// read (the connection closed, reset or timed out, the body ended early):
// a good answer cut short, worth asking for again. Go's transport closes
// the connection when the request's body cannot be written in full, which
// can happen while the answer streams in (seen with Bedrock's SDK on a
// loaded machine: "deserialization failed, read tcp ...: use of closed
// network connection").
func cutShort(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// ClassifyAWS turns an error from an aws-sdk-go-v2 call into the same shape
// as [Send]: ctx.Err() when ctx is done; an [*HTTPError] (Reason "Code:
// message", scrubbed) for an API error, marked [Transient] for 429, 5xx
// or a throttling/unavailable code, with Retry-After when the response had
// one; a 2xx answer whose body was cut short by the transport (cutShort)
// marked [Transient]; any other error (transport failure) marked
// [Transient]. It returns nil for nil.
func ClassifyAWS(ctx context.Context, provider string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	var ae smithy.APIError
	var re *awshttp.ResponseError
	status := 0
	var after time.Duration
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
		if re.Response != nil && re.Response.Response != nil {
			after = RetryAfter(re.Response.Header, time.Now())
		}
	}
	if errors.As(err, &ae) {
		reason := ae.ErrorCode()
		if msg := ae.ErrorMessage(); msg != "" {
			reason += ": " + msg
		}
		herr := &HTTPError{Provider: provider, Status: status, Reason: Scrub(reason)}
		if RetryableStatus(status) || retryableAWSCodes[ae.ErrorCode()] {
			return Transient(herr, after)
		}
		return herr
	}
	if status != 0 {
		herr := &HTTPError{Provider: provider, Status: status, Reason: Scrub(err.Error())}
		if RetryableStatus(status) || (status/100 == 2 && cutShort(err)) {
			return Transient(herr, after)
		}
		return herr
	}
	return Transient(errors.New(provider+": send: "+Scrub(err.Error())), 0)
}
