package awsbedrock

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
)

// Config says where and how to reach Bedrock Runtime. The zero value uses
// the default chain's region and credentials.
type Config struct {
	// Region is the AWS region. Empty means the default chain's region
	// (AWS_REGION, shared config); one must resolve.
	Region string
	// BaseEndpoint overrides the Bedrock Runtime endpoint (VPC endpoints,
	// tests). Empty means the regional default.
	BaseEndpoint string
	// Credentials signs requests. Nil means the SDK's default chain.
	Credentials aws.CredentialsProvider
	// HTTPClient sends the requests. Nil means the SDK's default.
	HTTPClient *http.Client
	// ErrConfig is the caller's config sentinel, wrapped when no region
	// resolves. Nil means [ErrNoRegion] alone.
	ErrConfig error
}

// ErrNoRegion reports that neither Config.Region nor the default chain
// gave a region.
var ErrNoRegion = errors.New("no AWS region")

// New returns a Bedrock Runtime client with the SDK's retries off. Its
// errors are "load aws config: ..." or wrap ErrNoRegion (and
// cfg.ErrConfig).
func New(ctx context.Context, cfg Config) (*bedrockruntime.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	if cfg.Credentials != nil {
		opts = append(opts, awsconfig.WithCredentialsProvider(cfg.Credentials))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, awsconfig.WithHTTPClient(cfg.HTTPClient))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	if awsCfg.Region == "" {
		if cfg.ErrConfig == nil {
			return nil, ErrNoRegion
		}
		return nil, fmt.Errorf("%w: %w", ErrNoRegion, cfg.ErrConfig)
	}
	return bedrockruntime.NewFromConfig(awsCfg, func(o *bedrockruntime.Options) {
		if cfg.BaseEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.BaseEndpoint)
		}
		o.Retryer = aws.NopRetryer{}
	}), nil
}
