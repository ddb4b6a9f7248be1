// Package lcclient drives the local cloud through the official AWS, GCP and
// Azure SDKs, the way a user's program or a provider would: it is what the
// end-to-end tests and benchmarks of the local cloud use to create and reach
// databases on each cloud.
package lcclient

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"google.golang.org/api/option"
	sqladmin "google.golang.org/api/sqladmin/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud"
)

// Clouds are the clouds a database can be created on.
var Clouds = []string{"aws", "gcp", "azure"}

const (
	// Project is the GCP project the helpers use.
	Project = "stratus-local"
	// Subscription is the Azure subscription the helpers use.
	Subscription = "00000000-0000-0000-0000-000000000001"
	tenant       = "stratus-local"
	region       = "us-east-1"
	gcpRegion    = "us-central1"
	azLocation   = "eastus"
	user         = "appadmin"
)

// A DB is a database instance as its cloud's API reports it.
type DB struct {
	Cloud    string
	Name     string
	Host     string
	Port     int
	User     string
	Password string
	Database string
}

// Clients are SDK clients pointed at one local cloud.
type Clients struct {
	RDS      *rds.Client
	SQL      *sqladmin.Service
	AzureRGs *armresources.ResourceGroupsClient
	AzureDBs *armpostgresqlflexibleservers.ServersClient
}

// New returns SDK clients for the local cloud at e, authenticated the way
// each cloud's users are: AWS signatures with the default key, no GCP
// authentication, an Azure client secret through Entra ID.
func New(ctx context.Context, e localcloud.Endpoints) (*Clients, error) {
	c := &Clients{}
	c.RDS = rds.New(rds.Options{
		Region:       region,
		BaseEndpoint: aws.String(e.AWS),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
	sql, err := sqladmin.NewService(ctx, option.WithEndpoint(e.GCP+"/"), option.WithoutAuthentication())
	if err != nil {
		return nil, errors.Wrap(err, "cannot create Cloud SQL Admin client")
	}
	c.SQL = sql
	cred, opts, err := Azure(e)
	if err != nil {
		return nil, err
	}
	if c.AzureRGs, err = armresources.NewResourceGroupsClient(Subscription, cred, opts); err != nil {
		return nil, errors.Wrap(err, "cannot create Azure resource groups client")
	}
	if c.AzureDBs, err = armpostgresqlflexibleservers.NewServersClient(Subscription, cred, opts); err != nil {
		return nil, errors.Wrap(err, "cannot create Azure flexible servers client")
	}
	return c, nil
}

// Azure returns a credential (a client secret, exchanged at the local
// cloud's Entra ID endpoint) and ARM client options for the local cloud at e.
func Azure(e localcloud.Endpoints) (azcore.TokenCredential, *arm.ClientOptions, error) {
	pool, err := localcloud.CAPool(e.AzureCA)
	if err != nil {
		return nil, nil, err
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	cfg := azcloud.Configuration{
		ActiveDirectoryAuthorityHost: e.Azure + "/",
		Services: map[azcloud.ServiceName]azcloud.ServiceConfiguration{
			azcloud.ResourceManager: {Endpoint: e.Azure, Audience: "https://management.azure.com"},
		},
	}
	co := azcore.ClientOptions{Cloud: cfg, Transport: hc}
	cred, err := azidentity.NewClientSecretCredential(tenant, "stratus-tests", "secret",
		&azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: true})
	if err != nil {
		return nil, nil, errors.Wrap(err, "cannot create Azure credential")
	}
	co.Retry = policy.RetryOptions{RetryDelay: 200 * time.Millisecond, MaxRetryDelay: 2 * time.Second}
	return cred, &arm.ClientOptions{ClientOptions: co}, nil
}

// Password is the admin password the helpers give database name.
func Password(name string) string { return "Pw-" + name + "-0123" }

// CreatePostgres asks cloud to create a PostgreSQL instance called name and
// returns without waiting for it. On Azure the resource group is created
// first (rg-<name>).
func (c *Clients) CreatePostgres(ctx context.Context, cloud, name string) error {
	pw := Password(name)
	switch cloud {
	case "aws":
		_, err := c.RDS.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String(name),
			Engine:               aws.String("postgres"),
			DBInstanceClass:      aws.String("db.t3.micro"),
			AllocatedStorage:     aws.Int32(20),
			MasterUsername:       aws.String(user),
			MasterUserPassword:   aws.String(pw),
			DBName:               aws.String("app"),
		})
		return errors.Wrapf(err, "cannot create RDS instance %s", name)
	case "gcp":
		_, err := c.SQL.Instances.Insert(Project, &sqladmin.DatabaseInstance{
			Name:            name,
			DatabaseVersion: "POSTGRES_15",
			Region:          gcpRegion,
			RootPassword:    pw,
			Settings:        &sqladmin.Settings{Tier: "db-f1-micro"},
		}).Context(ctx).Do()
		return errors.Wrapf(err, "cannot create Cloud SQL instance %s", name)
	case "azure":
		if _, err := c.AzureRGs.CreateOrUpdate(ctx, "rg-"+name, armresources.ResourceGroup{Location: aws.String(azLocation)}, nil); err != nil {
			return errors.Wrapf(err, "cannot create resource group rg-%s", name)
		}
		_, err := c.AzureDBs.BeginCreateOrUpdate(ctx, "rg-"+name, name, armpostgresqlflexibleservers.Server{
			Location: aws.String(azLocation),
			SKU:      &armpostgresqlflexibleservers.SKU{Name: aws.String("Standard_B1ms"), Tier: new(armpostgresqlflexibleservers.SKUTierBurstable)},
			Properties: &armpostgresqlflexibleservers.ServerProperties{
				AdministratorLogin:         aws.String(user),
				AdministratorLoginPassword: aws.String(pw),
				Version:                    new(armpostgresqlflexibleservers.PostgresMajorVersion("15")),
				Storage:                    &armpostgresqlflexibleservers.Storage{StorageSizeGB: aws.Int32(32)},
			},
		}, nil)
		return errors.Wrapf(err, "cannot create flexible server %s", name)
	}
	return errors.Errorf("unknown cloud %q", cloud)
}

// Postgres returns the instance if its cloud reports it ready, and whether
// it does.
func (c *Clients) Postgres(ctx context.Context, cloud, name string) (DB, bool, error) {
	db := DB{Cloud: cloud, Name: name, User: user, Password: Password(name)}
	switch cloud {
	case "aws":
		out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(name)})
		if err != nil {
			return db, false, errors.Wrapf(err, "cannot describe RDS instance %s", name)
		}
		i := out.DBInstances[0]
		if aws.ToString(i.DBInstanceStatus) != "available" || i.Endpoint == nil {
			return db, false, nil
		}
		db.Host, db.Port, db.Database = aws.ToString(i.Endpoint.Address), int(aws.ToInt32(i.Endpoint.Port)), aws.ToString(i.DBName)
		return db, true, nil
	case "gcp":
		i, err := c.SQL.Instances.Get(Project, name).Context(ctx).Do()
		if err != nil {
			return db, false, errors.Wrapf(err, "cannot get Cloud SQL instance %s", name)
		}
		if i.State != "RUNNABLE" || len(i.IpAddresses) == 0 {
			return db, false, nil
		}
		db.Host, db.Port, db.User, db.Database = i.IpAddresses[0].IpAddress, 5432, "postgres", "postgres"
		return db, true, nil
	case "azure":
		s, err := c.AzureDBs.Get(ctx, "rg-"+name, name, nil)
		if err != nil {
			return db, false, errors.Wrapf(err, "cannot get flexible server %s", name)
		}
		if s.Properties == nil || s.Properties.State == nil || *s.Properties.State != armpostgresqlflexibleservers.ServerStateReady {
			return db, false, nil
		}
		db.Host, db.Port, db.Database = aws.ToString(s.Properties.FullyQualifiedDomainName), 5432, "postgres"
		return db, true, nil
	}
	return db, false, errors.Errorf("unknown cloud %q", cloud)
}

// WaitPostgres polls until the instance is ready, as a client would.
func (c *Clients) WaitPostgres(ctx context.Context, cloud, name string) (DB, error) {
	for {
		db, ok, err := c.Postgres(ctx, cloud, name)
		if err == nil && ok {
			return db, nil
		}
		select {
		case <-ctx.Done():
			return db, errors.Errorf("%s database %s is not ready (last error: %v)", cloud, name, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// DeletePostgres asks cloud to delete the instance (on Azure, with its
// resource group) and returns without waiting.
func (c *Clients) DeletePostgres(ctx context.Context, cloud, name string) error {
	switch cloud {
	case "aws":
		_, err := c.RDS.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(name), SkipFinalSnapshot: aws.Bool(true)})
		return errors.Wrapf(err, "cannot delete RDS instance %s", name)
	case "gcp":
		_, err := c.SQL.Instances.Delete(Project, name).Context(ctx).Do()
		return errors.Wrapf(err, "cannot delete Cloud SQL instance %s", name)
	case "azure":
		_, err := c.AzureRGs.BeginDelete(ctx, "rg-"+name, nil)
		return errors.Wrapf(err, "cannot delete resource group rg-%s", name)
	}
	return errors.Errorf("unknown cloud %q", cloud)
}

// String names the database's endpoint, for messages.
func (d DB) String() string {
	return fmt.Sprintf("%s %s at %s:%d as %s", d.Cloud, d.Name, d.Host, d.Port, d.User)
}
