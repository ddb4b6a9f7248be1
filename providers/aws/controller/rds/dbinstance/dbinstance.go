// Package dbinstance manages Amazon RDS DB instances.
package dbinstance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/aws/apis/rds/v1beta1"
	awsv1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/internal/clients"
)

// Statuses of a DB instance that need handling of their own.
const (
	statusAvailable = "available"
	statusCreating  = "creating"
	statusDeleting  = "deleting"
)

// ConnectionDetailAddress is the connection detail that holds the DB
// instance's DNS name, as endpoint does.
const ConnectionDetailAddress = "address"

// engines are the engines the API accepts.
var engines = []string{"postgres", "mysql", "mariadb"}

// An API is the part of the RDS API that manages DB instances.
type API interface {
	CreateDBInstance(ctx context.Context, in *rds.CreateDBInstanceInput, o ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error)
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, o ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	ModifyDBInstance(ctx context.Context, in *rds.ModifyDBInstanceInput, o ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error)
	DeleteDBInstance(ctx context.Context, in *rds.DeleteDBInstanceInput, o ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error)
	AddTagsToResource(ctx context.Context, in *rds.AddTagsToResourceInput, o ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(ctx context.Context, in *rds.RemoveTagsFromResourceInput, o ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error)
}

// Setup adds a controller that reconciles DB instances.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{
		config: clients.NewConfigurer(mgr.GetClient()),
		newAPI: func(cfg aws.Config) API { return rds.NewFromConfig(cfg) },
		kube:   mgr.GetClient(),
	}
	k := provider.Kind{Managed: v1beta1.DBInstanceGroupVersionKind, Usage: awsv1beta1.ProviderConfigUsageGroupVersionKind}
	// The DB instance identifier is the external name, the resource's name
	// unless set: a create retried after a crash finds the instance by it.
	return provider.SetupManaged(mgr, o, k, &v1beta1.DBInstance{}, c)
}

type connector struct {
	config clients.ConfigSource
	newAPI func(aws.Config) API
	kube   client.Client
}

// The connector names the password Secrets it may create, so that
// SetupManaged deletes them with the resource.
var _ provider.SecretGenerator[*v1beta1.DBInstance] = &connector{}

// GeneratedSecrets returns the Secrets a generated master password may be
// stored in, so that the one the instance created is deleted with it.
func (c *connector) GeneratedSecrets(cr *v1beta1.DBInstance) []xpv2.SecretReference {
	var initRef *xpv2.SecretKeySelector
	if ip := cr.Spec.InitProvider; ip != nil {
		initRef = ip.MasterUserPasswordSecretRef
	}
	return provider.SecretsOf(cr.Spec.ForProvider.MasterUserPasswordSecretRef, initRef)
}

// Connect returns a client for the DB instance's region.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.DBInstance) (managed.TypedExternalClient[*v1beta1.DBInstance], error) {
	cfg, err := c.config.Config(ctx, cr, aws.ToString(cr.Spec.ForProvider.Region))
	if err != nil {
		return nil, err
	}
	return &external{api: c.newAPI(cfg), kube: c.kube, region: cfg.Region, newPassword: generatePassword}, nil
}

type external struct {
	api         API
	kube        client.Client
	region      string
	newPassword func() (string, error)
}

// Observe finds the DB instance by its identifier.
func (e *external) Observe(ctx context.Context, cr *v1beta1.DBInstance) (managed.ExternalObservation, error) {
	db, err := e.find(ctx, cr)
	if err != nil || db == nil {
		return managed.ExternalObservation{}, err
	}
	observed := e.parameters(db)
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	cr.Status.AtProvider = observation(db)
	setReady(cr, aws.ToString(db.DBInstanceStatus))

	pw, pwUpToDate, err := e.observePassword(ctx, cr)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	_, changed := modifications(&cr.Spec.ForProvider, observed)
	set, remove := clients.DiffTags(clients.ManagedTags(cr, cr.Spec.ForProvider.Tags, clients.RDSTagMap(db.TagList)), clients.RDSTagMap(db.TagList))
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        !changed && pwUpToDate && len(set) == 0 && len(remove) == 0,
		ResourceLateInitialized: lateInit,
		ConnectionDetails:       connectionDetails(db, pw),
	}, nil
}

// find returns the DB instance of cr, or nil when it does not exist.
func (e *external) find(ctx context.Context, cr *v1beta1.DBInstance) (*rdstypes.DBInstance, error) {
	id := meta.GetExternalName(cr)
	if id == "" {
		return nil, nil
	}
	out, err := e.api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, clients.Wrap(err, "cannot describe DB instance")
	}
	if len(out.DBInstances) == 0 {
		return nil, nil
	}
	return &out.DBInstances[0], nil
}

// parameters returns the DB instance's configuration in the shape of its
// spec. Values of a modification AWS has accepted but not yet applied
// count as the instance's own, so that it is not requested again.
func (e *external) parameters(db *rdstypes.DBInstance) *v1beta1.DBInstanceParameters {
	p := &v1beta1.DBInstanceParameters{
		Region:                aws.String(e.region),
		EngineVersion:         db.EngineVersion,
		DBInstanceClass:       db.DBInstanceClass,
		AllocatedStorage:      db.AllocatedStorage,
		StorageType:           db.StorageType,
		DBName:                db.DBName,
		MasterUsername:        db.MasterUsername,
		PubliclyAccessible:    db.PubliclyAccessible,
		MultiAZ:               db.MultiAZ,
		BackupRetentionPeriod: db.BackupRetentionPeriod,
		DeletionProtection:    db.DeletionProtection,
		Tags:                  clients.UserTags(clients.RDSTagMap(db.TagList)),
	}
	// Late initialization must not write an engine the API rejects.
	if slices.Contains(engines, aws.ToString(db.Engine)) {
		p.Engine = db.Engine
	}
	if db.Endpoint != nil {
		p.Port = db.Endpoint.Port
	}
	if db.DBSubnetGroup != nil {
		p.DBSubnetGroupName = db.DBSubnetGroup.DBSubnetGroupName
	}
	for _, sg := range db.VpcSecurityGroups {
		p.VPCSecurityGroupIDs = append(p.VPCSecurityGroupIDs, aws.ToString(sg.VpcSecurityGroupId))
	}
	if pm := db.PendingModifiedValues; pm != nil {
		p.AllocatedStorage = pending(pm.AllocatedStorage, p.AllocatedStorage)
		p.DBInstanceClass = pending(pm.DBInstanceClass, p.DBInstanceClass)
		p.EngineVersion = pending(pm.EngineVersion, p.EngineVersion)
		p.StorageType = pending(pm.StorageType, p.StorageType)
		p.MultiAZ = pending(pm.MultiAZ, p.MultiAZ)
		p.Port = pending(pm.Port, p.Port)
		p.BackupRetentionPeriod = pending(pm.BackupRetentionPeriod, p.BackupRetentionPeriod)
		p.DBSubnetGroupName = pending(pm.DBSubnetGroupName, p.DBSubnetGroupName)
	}
	return p
}

// pending returns the pending value if there is one, else the current one.
func pending[T any](pendingValue, current *T) *T {
	if pendingValue != nil {
		return pendingValue
	}
	return current
}

// observation returns what AWS reports of db.
func observation(db *rdstypes.DBInstance) v1beta1.DBInstanceObservation {
	o := v1beta1.DBInstanceObservation{
		Status:              aws.ToString(db.DBInstanceStatus),
		ARN:                 aws.ToString(db.DBInstanceArn),
		ResourceID:          aws.ToString(db.DbiResourceId),
		EngineVersionActual: aws.ToString(db.EngineVersion),
		DBInstanceClass:     aws.ToString(db.DBInstanceClass),
		AllocatedStorage:    aws.ToInt32(db.AllocatedStorage),
		AvailabilityZone:    aws.ToString(db.AvailabilityZone),
	}
	if db.Endpoint != nil {
		o.Address = aws.ToString(db.Endpoint.Address)
		o.Port = aws.ToInt32(db.Endpoint.Port)
	}
	if db.DBSubnetGroup != nil {
		o.DBSubnetGroupName = aws.ToString(db.DBSubnetGroup.DBSubnetGroupName)
	}
	for _, sg := range db.VpcSecurityGroups {
		o.VPCSecurityGroupIDs = append(o.VPCSecurityGroupIDs, aws.ToString(sg.VpcSecurityGroupId))
	}
	o.PendingModifiedValues = pendingSummary(db.PendingModifiedValues)
	return o
}

// pendingSummary describes the modifications AWS has yet to apply, in the
// spec's field names, e.g. "allocatedStorage=100, multiAZ=true".
func pendingSummary(pm *rdstypes.PendingModifiedValues) string {
	if pm == nil {
		return ""
	}
	var s []string
	add := func(name string, v any) { s = append(s, fmt.Sprintf("%s=%v", name, v)) }
	if pm.AllocatedStorage != nil {
		add("allocatedStorage", *pm.AllocatedStorage)
	}
	if pm.BackupRetentionPeriod != nil {
		add("backupRetentionPeriod", *pm.BackupRetentionPeriod)
	}
	if pm.DBInstanceClass != nil {
		add("dbInstanceClass", *pm.DBInstanceClass)
	}
	if pm.DBSubnetGroupName != nil {
		add("dbSubnetGroupName", *pm.DBSubnetGroupName)
	}
	if pm.EngineVersion != nil {
		add("engineVersion", *pm.EngineVersion)
	}
	if pm.MasterUserPassword != nil {
		// AWS reports a masked value; say only that a change is pending.
		s = append(s, "masterUserPassword")
	}
	if pm.MultiAZ != nil {
		add("multiAZ", *pm.MultiAZ)
	}
	if pm.Port != nil {
		add("port", *pm.Port)
	}
	if pm.StorageType != nil {
		add("storageType", *pm.StorageType)
	}
	return strings.Join(s, ", ")
}

// setReady sets the Ready condition from the instance's status. An instance
// that is backing up, being modified or reconfigured still serves
// connections, so it stays Available: a daily backup must not make every
// claim on the database unready.
func setReady(cr *v1beta1.DBInstance, status string) {
	switch {
	case status == statusAvailable, status == "backing-up", status == "modifying",
		status == "storage-optimization", strings.HasPrefix(status, "configuring-"):
		cr.SetConditions(xpv2.Available())
	case status == statusCreating:
		cr.SetConditions(xpv2.Creating())
	case status == statusDeleting:
		cr.SetConditions(xpv2.Deleting())
	default:
		cr.SetConditions(xpv2.Unavailable().WithMessage("DB instance status is " + status))
	}
}

// passwordRef returns the selector of the Secret that holds the master
// password: spec.forProvider's, else spec.initProvider's.
func passwordRef(cr *v1beta1.DBInstance) *xpv2.SecretKeySelector {
	if ref := cr.Spec.ForProvider.MasterUserPasswordSecretRef; ref != nil {
		return ref
	}
	if ip := cr.Spec.InitProvider; ip != nil {
		return ip.MasterUserPasswordSecretRef
	}
	return nil
}

// observePassword returns the master password when the instance is known
// to have it (so that it can be published), and whether the password is up
// to date: a password Secret in spec.forProvider whose password the
// instance does not have yet, or that autoGeneratePassword has yet to
// fill, needs an update.
func (e *external) observePassword(ctx context.Context, cr *v1beta1.DBInstance) (string, bool, error) {
	ref := passwordRef(cr)
	if ref == nil {
		return "", true, nil
	}
	pw, err := readPassword(ctx, e.kube, *ref)
	if err != nil {
		return "", false, err
	}
	applied := pw != "" && passwordApplied(cr, pw)
	if !applied {
		// Publish no password that may not work.
		pw = ""
	}
	if cr.Spec.ForProvider.MasterUserPasswordSecretRef == nil {
		// A password in initProvider is not kept in sync.
		return pw, true, nil
	}
	return pw, applied, nil
}

// connectionDetails returns what a client needs to connect to db, once it
// has an endpoint.
func connectionDetails(db *rdstypes.DBInstance, pw string) managed.ConnectionDetails {
	if db.Endpoint == nil || aws.ToString(db.Endpoint.Address) == "" {
		return nil
	}
	cd := managed.ConnectionDetails{
		xpv2.CredentialsSecretEndpointKey: []byte(aws.ToString(db.Endpoint.Address)),
		ConnectionDetailAddress:           []byte(aws.ToString(db.Endpoint.Address)),
		xpv2.CredentialsSecretPortKey:     []byte(strconv.Itoa(int(aws.ToInt32(db.Endpoint.Port)))),
		xpv2.CredentialsSecretUserKey:     []byte(aws.ToString(db.MasterUsername)),
	}
	if pw != "" {
		cd[xpv2.CredentialsSecretPasswordKey] = []byte(pw)
	}
	return cd
}

// modifications returns the ModifyDBInstance input that changes what the
// spec sets and observed does not match, and whether there is any. Fields
// the spec leaves unset are left alone.
func modifications(fp, observed *v1beta1.DBInstanceParameters) (*rds.ModifyDBInstanceInput, bool) {
	in := &rds.ModifyDBInstanceInput{}
	changed := false
	if v := fp.EngineVersion; v != nil && !versionMatches(*v, aws.ToString(observed.EngineVersion)) {
		// AWS refuses a major upgrade unless it is allowed; a spec that
		// names another version asks for it. The flag changes nothing
		// else.
		in.EngineVersion, in.AllowMajorVersionUpgrade, changed = v, aws.Bool(true), true
	}
	if differs(fp.DBInstanceClass, observed.DBInstanceClass) {
		in.DBInstanceClass, changed = fp.DBInstanceClass, true
	}
	if differs(fp.AllocatedStorage, observed.AllocatedStorage) {
		in.AllocatedStorage, changed = fp.AllocatedStorage, true
	}
	if differs(fp.StorageType, observed.StorageType) {
		in.StorageType, changed = fp.StorageType, true
	}
	if differs(fp.Port, observed.Port) {
		in.DBPortNumber, changed = fp.Port, true
	}
	if differs(fp.PubliclyAccessible, observed.PubliclyAccessible) {
		in.PubliclyAccessible, changed = fp.PubliclyAccessible, true
	}
	if differs(fp.MultiAZ, observed.MultiAZ) {
		in.MultiAZ, changed = fp.MultiAZ, true
	}
	if differs(fp.BackupRetentionPeriod, observed.BackupRetentionPeriod) {
		in.BackupRetentionPeriod, changed = fp.BackupRetentionPeriod, true
	}
	if differs(fp.DeletionProtection, observed.DeletionProtection) {
		in.DeletionProtection, changed = fp.DeletionProtection, true
	}
	// AWS keeps DB subnet group names in lower case.
	if v := fp.DBSubnetGroupName; v != nil && !strings.EqualFold(*v, aws.ToString(observed.DBSubnetGroupName)) {
		in.DBSubnetGroupName, changed = v, true
	}
	if fp.VPCSecurityGroupIDs != nil && !clients.SameIDs(fp.VPCSecurityGroupIDs, observed.VPCSecurityGroupIDs) {
		in.VpcSecurityGroupIds, changed = fp.VPCSecurityGroupIDs, true
	}
	return in, changed
}

// differs reports whether a desired value is set and differs from the
// observed one. A value AWS does not report (the port of an instance
// without an endpoint yet) is unknown rather than different.
func differs[T comparable](desired, observed *T) bool {
	return desired != nil && observed != nil && *desired != *observed
}

// versionMatches reports whether the observed engine version satisfies the
// desired one: the same version; a version of the desired major (or
// major.minor) version, e.g. 16.4 for 16; or a later last component of the
// same series, e.g. 16.4 for 16.3 or 8.0.36 for 8.0.35. AWS upgrades minor
// versions on its own and cannot go back, so a spec that names the
// version an instance was created with must not ask for a downgrade.
func versionMatches(desired, observed string) bool {
	if desired == observed || strings.HasPrefix(observed, desired+".") {
		return true
	}
	d, o := strings.Split(desired, "."), strings.Split(observed, ".")
	last := len(d) - 1
	if len(o) != len(d) || !slices.Equal(d[:last], o[:last]) {
		return false
	}
	dn, derr := strconv.Atoi(d[last])
	on, oerr := strconv.Atoi(o[last])
	return derr == nil && oerr == nil && on >= dn
}

// Create creates the DB instance, identified by the external name, with
// the master password from its Secret (generating one first when asked).
func (e *external) Create(ctx context.Context, cr *v1beta1.DBInstance) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	if p.MasterUserPasswordSecretRef == nil {
		return managed.ExternalCreation{}, errors.New("cannot create DB instance: spec.forProvider.masterUserPasswordSecretRef is required")
	}
	pw, err := ensurePassword(ctx, e.kube, provider.ControllerReference(cr, v1beta1.DBInstanceGroupVersionKind), *p.MasterUserPasswordSecretRef, aws.ToBool(p.AutoGeneratePassword), e.newPassword)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	_, err = e.api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier:  aws.String(meta.GetExternalName(cr)),
		Engine:                p.Engine,
		EngineVersion:         p.EngineVersion,
		DBInstanceClass:       p.DBInstanceClass,
		AllocatedStorage:      p.AllocatedStorage,
		StorageType:           p.StorageType,
		DBName:                p.DBName,
		MasterUsername:        p.MasterUsername,
		MasterUserPassword:    aws.String(pw),
		Port:                  p.Port,
		PubliclyAccessible:    p.PubliclyAccessible,
		MultiAZ:               p.MultiAZ,
		BackupRetentionPeriod: p.BackupRetentionPeriod,
		DeletionProtection:    p.DeletionProtection,
		DBSubnetGroupName:     p.DBSubnetGroupName,
		VpcSecurityGroupIds:   p.VPCSecurityGroupIDs,
		Tags:                  clients.RDSTags(clients.DesiredTags(cr, p.Tags)),
	})
	if err != nil {
		return managed.ExternalCreation{}, redacted(clients.Wrap(err, "cannot create DB instance"), pw)
	}
	// The reconciler saves the annotation with the external name.
	meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: passwordHash(cr, pw)})
	return managed.ExternalCreation{}, nil
}

// Update sets the tags that differ from the spec and, once the instance is
// available, modifies the fields (and the master password) that differ.
func (e *external) Update(ctx context.Context, cr *v1beta1.DBInstance) (managed.ExternalUpdate, error) {
	db, err := e.find(ctx, cr)
	if err != nil || db == nil {
		return managed.ExternalUpdate{}, err
	}
	fp := &cr.Spec.ForProvider
	if err := clients.UpdateRDSTags(ctx, e.api, aws.ToString(db.DBInstanceArn), clients.ManagedTags(cr, fp.Tags, clients.RDSTagMap(db.TagList)), clients.RDSTagMap(db.TagList)); err != nil {
		return managed.ExternalUpdate{}, err
	}
	if aws.ToString(db.DBInstanceStatus) != statusAvailable {
		// AWS modifies only available instances; a later poll retries.
		return managed.ExternalUpdate{}, nil
	}
	in, changed := modifications(fp, e.parameters(db))
	hash, pw := "", ""
	if ref := fp.MasterUserPasswordSecretRef; ref != nil {
		if pw, err = ensurePassword(ctx, e.kube, provider.ControllerReference(cr, v1beta1.DBInstanceGroupVersionKind), *ref, aws.ToBool(fp.AutoGeneratePassword), e.newPassword); err != nil {
			return managed.ExternalUpdate{}, err
		}
		if !passwordApplied(cr, pw) {
			in.MasterUserPassword, hash, changed = aws.String(pw), passwordHash(cr, pw), true
		}
	}
	if !changed {
		return managed.ExternalUpdate{}, nil
	}
	in.DBInstanceIdentifier = db.DBInstanceIdentifier
	in.ApplyImmediately = fp.ApplyImmediately
	if _, err := e.api.ModifyDBInstance(ctx, in); err != nil {
		return managed.ExternalUpdate{}, redacted(clients.Wrap(err, "cannot modify DB instance"), pw)
	}
	if hash == "" {
		return managed.ExternalUpdate{}, nil
	}
	return managed.ExternalUpdate{}, recordPasswordHash(ctx, e.kube, cr, hash)
}

// Delete deletes the DB instance, taking a final snapshot unless
// skipFinalSnapshot is true.
func (e *external) Delete(ctx context.Context, cr *v1beta1.DBInstance) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if cr.Status.AtProvider.Status == statusDeleting {
		// Observe saw the deletion under way.
		return managed.ExternalDelete{}, nil
	}
	fp := cr.Spec.ForProvider
	in := &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String(meta.GetExternalName(cr)),
		SkipFinalSnapshot:    aws.Bool(aws.ToBool(fp.SkipFinalSnapshot)),
	}
	if !aws.ToBool(fp.SkipFinalSnapshot) {
		// AWS rejects a snapshot name alongside SkipFinalSnapshot.
		in.FinalDBSnapshotIdentifier = fp.FinalDBSnapshotIdentifier
	}
	_, err := e.api.DeleteDBInstance(ctx, in)
	if notFound(err) || alreadyDeleting(err) {
		return managed.ExternalDelete{}, nil
	}
	return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete DB instance")
}

// notFound reports whether err says the DB instance does not exist.
func notFound(err error) bool {
	var nf *rdstypes.DBInstanceNotFoundFault
	return errors.As(err, &nf)
}

// alreadyDeleting reports whether err says the DB instance is being deleted
// already.
func alreadyDeleting(err error) bool {
	var st *rdstypes.InvalidDBInstanceStateFault
	return errors.As(err, &st) && strings.Contains(st.ErrorMessage(), "already being deleted")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
