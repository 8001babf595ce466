package retry

import (
	"context"
	"errors"
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

// ClassifyAWS turns an error from an aws-sdk-go-v2 call into the same shape
// as [Send]: ctx.Err() when ctx is done; an [*HTTPError] (Reason "Code:
// message", scrubbed) for an API error, marked [Transient] for 429, 5xx
// or a throttling/unavailable code, with Retry-After when the response had
// one; any other error (transport failure) marked [Transient]. It returns
// nil for nil.
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
		if RetryableStatus(status) {
			return Transient(herr, after)
		}
		return herr
	}
	return Transient(errors.New(provider+": send: "+Scrub(err.Error())), 0)
}
