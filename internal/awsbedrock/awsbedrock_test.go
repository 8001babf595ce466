package awsbedrock

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

func TestNew_Region(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	creds := credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", "")
	errConfig := errors.New("config")
	for _, tc := range []struct {
		name    string
		cfg     Config
		wantErr error
	}{
		{name: "region set", cfg: Config{Region: "ap-northeast-1", BaseEndpoint: "http://127.0.0.1:1"}},
		{name: "no region", cfg: Config{ErrConfig: errConfig}, wantErr: errConfig},
		{name: "no region, no sentinel", cfg: Config{}, wantErr: ErrNoRegion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Credentials = creds
			c, err := New(context.Background(), tc.cfg)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !errors.Is(err, ErrNoRegion) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := c.Options()
			if o.Region != tc.cfg.Region || aws.ToString(o.BaseEndpoint) != tc.cfg.BaseEndpoint {
				t.Fatalf("region %q endpoint %q", o.Region, aws.ToString(o.BaseEndpoint))
			}
			if _, ok := o.Retryer.(aws.NopRetryer); !ok {
				t.Fatalf("Retryer = %T, want aws.NopRetryer", o.Retryer)
			}
		})
	}
}
