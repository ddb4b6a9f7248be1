// Package clients builds AWS SDK configurations from ProviderConfigs and
// holds what the AWS controllers share: error classification, the tags
// Stratus puts on what it creates, and tag diffs.
package clients

import (
	"bufio"
	"bytes"
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
)

// httpClient is shared by every SDK client the controllers build, so that
// connections to AWS are reused across reconciles instead of opened (and
// left idle) per reconcile.
var httpClient = awshttp.NewBuildableClient()

// A ConfigSource returns the AWS configuration of a managed resource.
// Configurer is the real one; controller tests use fakes.
type ConfigSource interface {
	Config(ctx context.Context, mg resource.LegacyManaged, region string) (aws.Config, error) //nolint:staticcheck // The issue asks for cluster-scoped managed resources, which crossplane-runtime calls LegacyManaged.
}

// A Configurer builds the AWS configuration for a managed resource from the
// ProviderConfig it references, and records that the resource uses it.
type Configurer struct {
	kube    client.Client
	tracker resource.LegacyTracker
}

// NewConfigurer returns a Configurer that reads ProviderConfigs and their
// Secrets through kube.
func NewConfigurer(kube client.Client) *Configurer {
	return &Configurer{kube: kube, tracker: provider.UsageTracker(kube, &v1beta1.ProviderConfigUsage{})}
}

// Config returns the AWS configuration for mg in region, or in the
// ProviderConfig's default region when region is empty.
func (c *Configurer) Config(ctx context.Context, mg resource.LegacyManaged, region string) (aws.Config, error) { //nolint:staticcheck // The issue asks for cluster-scoped managed resources, which crossplane-runtime calls LegacyManaged.
	if err := c.tracker.Track(ctx, mg); err != nil {
		return aws.Config{}, errors.Wrap(err, "cannot track provider config usage")
	}
	ref := mg.GetProviderConfigReference()
	pc := &v1beta1.ProviderConfig{}
	if err := c.kube.Get(ctx, types.NamespacedName{Name: ref.Name}, pc); err != nil {
		return aws.Config{}, errors.Wrapf(err, "cannot get ProviderConfig %q", ref.Name)
	}
	data, err := resource.CommonCredentialExtractor(ctx, pc.Spec.Credentials.Source, c.kube, pc.Spec.Credentials.CommonCredentialSelectors)
	if err != nil {
		return aws.Config{}, errors.Wrapf(err, "cannot read the credentials of ProviderConfig %q", ref.Name)
	}
	creds, err := ParseCredentials(data)
	if err != nil {
		return aws.Config{}, errors.Wrapf(err, "cannot parse the credentials of ProviderConfig %q", ref.Name)
	}
	if region == "" {
		region = pc.Spec.Region
	}
	if region == "" {
		return aws.Config{}, errors.Errorf("no region: set spec.forProvider.region, or spec.region of ProviderConfig %q", ref.Name)
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(staticCredentials(creds)),
		HTTPClient:  httpClient,
	}
	if pc.Spec.Endpoint != nil {
		cfg.BaseEndpoint = aws.String(pc.Spec.Endpoint.URL)
	}
	return cfg, nil
}

type staticCredentials aws.Credentials

func (s staticCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials(s), nil
}

// ParseCredentials reads the [default] profile of an AWS shared-credentials
// file: aws_access_key_id, aws_secret_access_key and, optionally,
// aws_session_token.
func ParseCredentials(data []byte) (aws.Credentials, error) {
	var creds aws.Credentials
	profile := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
			continue
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			profile = strings.TrimSpace(line[1 : len(line)-1])
			continue
		case profile != "default":
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			// Never quote the line: it may hold a secret.
			return aws.Credentials{}, errors.New("a line of the [default] profile is not key = value")
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "aws_access_key_id":
			creds.AccessKeyID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			creds.SecretAccessKey = strings.TrimSpace(v)
		case "aws_session_token":
			creds.SessionToken = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return aws.Credentials{}, errors.Wrap(err, "cannot read credentials")
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return aws.Credentials{}, errors.New("want a [default] profile with aws_access_key_id and aws_secret_access_key")
	}
	creds.Source = "StratusProviderConfig"
	return creds, nil
}
