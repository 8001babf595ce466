package retry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sdkErr builds the error chain the AWS SDK returns for an answer with
// status whose handling failed with cause.
func sdkErr(status int, cause error) error {
	return &smithy.OperationError{ServiceID: "Bedrock Runtime", OperationName: "InvokeModel", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: http.Header{}}}, Err: cause},
	}}
}

// TestClassifyAWS_BodyCutShortIsRetried: a 2xx answer whose body the
// transport cut short (a flaky test found Go closing the connection
// mid-read under load) is worth asking for again; a 2xx answer that
// does not decode, or a 4xx, is not.
func TestClassifyAWS_BodyCutShortIsRetried(t *testing.T) {
	t.Parallel()
	closed := &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed}
	tests := []struct {
		name      string
		err       error
		transient bool
	}{
		{"200, connection closed mid-body", sdkErr(200, &smithy.DeserializationError{Err: closed}), true},
		{"200, body ended early", sdkErr(200, &smithy.DeserializationError{Err: io.ErrUnexpectedEOF}), true},
		{"200, not JSON", sdkErr(200, &smithy.DeserializationError{Err: errors.New("invalid character 'x'")}), false},
		{"400, connection closed", sdkErr(400, closed), false},
		{"503", sdkErr(503, errors.New("unavailable")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ClassifyAWS(context.Background(), "bedrock", tt.err)
			if _, transient := IsTransient(err); transient != tt.transient {
				t.Errorf("ClassifyAWS: %v, transient %v; want %v", err, transient, tt.transient)
			}
		})
	}
}
