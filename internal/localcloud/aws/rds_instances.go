package aws

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stratus-dev/stratus/internal/localcloud/pg"
)

// DB instance statuses, as RDS spells them.
const (
	dbCreating  = "creating"
	dbAvailable = "available"
	dbModifying = "modifying"
	dbDeleting  = "deleting"
	dbStopping  = "stopping"
	dbStopped   = "stopped"
	dbStarting  = "starting"
	dbFailed    = "failed"
)

// engineMajor is the PostgreSQL major version of every server the local
// cloud runs.
const engineMajor = "15"

// defaultEngineVersion is reported when a create names no version.
const defaultEngineVersion = "15.4"

// failAfter is how long past its deadline a creation whose server cannot
// be brought up keeps trying before the instance is reported failed.
const failAfter = 2 * time.Minute

// A dbInstance is an RDS DB instance, as stored.
type dbInstance struct {
	Region     string    `json:"region"`
	ID         string    `json:"id"`
	ResourceID string    `json:"resourceId"`
	Status     string    `json:"status"`
	Until      time.Time `json:"until"`
	Created    time.Time `json:"created"`

	Engine           string `json:"engine"`
	EngineVersion    string `json:"engineVersion"`
	Class            string `json:"class"`
	AllocatedStorage int32  `json:"allocatedStorage"`
	MaxStorage       *int32 `json:"maxStorage,omitempty"`
	StorageType      string `json:"storageType"`
	Iops             *int32 `json:"iops,omitempty"`
	DBName           string `json:"dbName,omitempty"`
	MasterUsername   string `json:"masterUsername"`
	// MasterPassword provisions the server (the state folder is the local
	// cloud's own); it is never served.
	MasterPassword string `json:"masterPassword"`
	// PendingPassword is a new master password not yet set on the server.
	PendingPassword string `json:"pendingPassword,omitempty"`

	PubliclyAccessible      bool   `json:"publiclyAccessible"`
	MultiAZ                 bool   `json:"multiAZ"`
	DeletionProtection      bool   `json:"deletionProtection"`
	StorageEncrypted        bool   `json:"storageEncrypted"`
	AutoMinorVersionUpgrade bool   `json:"autoMinorVersionUpgrade"`
	CopyTagsToSnapshot      bool   `json:"copyTagsToSnapshot"`
	BackupRetention         int32  `json:"backupRetention"`
	BackupWindow            string `json:"backupWindow"`
	MaintenanceWindow       string `json:"maintenanceWindow"`

	SubnetGroup      string   `json:"subnetGroup"`
	VpcID            string   `json:"vpcId"`
	Subnet           string   `json:"subnet"`
	AvailabilityZone string   `json:"availabilityZone"`
	SecondaryZone    string   `json:"secondaryZone,omitempty"`
	SecurityGroups   []string `json:"securityGroups"`

	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`

	Tags []rdsTag `json:"tags,omitempty"`
}

// pgID is the ID of the instance's server in the PostgreSQL manager, which
// all clouds share.
func (d dbInstance) pgID() string { return "aws/" + d.Region + "/" + d.ID }

// spec is what the instance's server is provisioned with.
func (d dbInstance) spec() pg.Spec {
	return pg.Spec{User: d.MasterUsername, Password: d.MasterPassword, Database: d.DBName}
}

// dbInstanceXML is a DB instance in RDS's answers.
type dbInstanceXML struct {
	DBInstanceIdentifier             string                      `xml:"DBInstanceIdentifier"`
	DBInstanceClass                  string                      `xml:"DBInstanceClass"`
	Engine                           string                      `xml:"Engine"`
	DBInstanceStatus                 string                      `xml:"DBInstanceStatus"`
	MasterUsername                   string                      `xml:"MasterUsername"`
	DBName                           string                      `xml:"DBName,omitempty"`
	Endpoint                         *endpointXML                `xml:"Endpoint,omitempty"`
	AllocatedStorage                 int32                       `xml:"AllocatedStorage"`
	InstanceCreateTime               string                      `xml:"InstanceCreateTime,omitempty"`
	PreferredBackupWindow            string                      `xml:"PreferredBackupWindow"`
	BackupRetentionPeriod            int32                       `xml:"BackupRetentionPeriod"`
	VpcSecurityGroups                []vpcSecurityGroupXML       `xml:"VpcSecurityGroups>VpcSecurityGroupMembership"`
	AvailabilityZone                 string                      `xml:"AvailabilityZone,omitempty"`
	DBSubnetGroup                    *dbSubnetGroupXML           `xml:"DBSubnetGroup,omitempty"`
	PreferredMaintenanceWindow       string                      `xml:"PreferredMaintenanceWindow"`
	PendingModifiedValues            *pendingModifiedValuesXML   `xml:"PendingModifiedValues"`
	MultiAZ                          bool                        `xml:"MultiAZ"`
	EngineVersion                    string                      `xml:"EngineVersion"`
	AutoMinorVersionUpgrade          bool                        `xml:"AutoMinorVersionUpgrade"`
	LicenseModel                     string                      `xml:"LicenseModel"`
	Iops                             *int32                      `xml:"Iops,omitempty"`
	SecondaryAvailabilityZone        string                      `xml:"SecondaryAvailabilityZone,omitempty"`
	PubliclyAccessible               bool                        `xml:"PubliclyAccessible"`
	StorageType                      string                      `xml:"StorageType"`
	DbInstancePort                   int32                       `xml:"DbInstancePort"`
	StorageEncrypted                 bool                        `xml:"StorageEncrypted"`
	DbiResourceID                    string                      `xml:"DbiResourceId"`
	CACertificateIdentifier          string                      `xml:"CACertificateIdentifier"`
	CopyTagsToSnapshot               bool                        `xml:"CopyTagsToSnapshot"`
	MonitoringInterval               int32                       `xml:"MonitoringInterval"`
	DBInstanceArn                    string                      `xml:"DBInstanceArn"`
	IAMDatabaseAuthenticationEnabled bool                        `xml:"IAMDatabaseAuthenticationEnabled"`
	PerformanceInsightsEnabled       bool                        `xml:"PerformanceInsightsEnabled"`
	DeletionProtection               bool                        `xml:"DeletionProtection"`
	MaxAllocatedStorage              *int32                      `xml:"MaxAllocatedStorage,omitempty"`
	TagList                          []rdsTag                    `xml:"TagList>Tag"`
	NetworkType                      string                      `xml:"NetworkType"`
	BackupTarget                     string                      `xml:"BackupTarget"`
	DBParameterGroups                []dbParameterGroupStatusXML `xml:"DBParameterGroups>DBParameterGroup"`
}

type endpointXML struct {
	Address      string `xml:"Address"`
	Port         int32  `xml:"Port"`
	HostedZoneID string `xml:"HostedZoneId"`
}

type vpcSecurityGroupXML struct {
	VpcSecurityGroupID string `xml:"VpcSecurityGroupId"`
	Status             string `xml:"Status"`
}

type pendingModifiedValuesXML struct {
	MasterUserPassword string `xml:"MasterUserPassword,omitempty"`
}

type dbParameterGroupStatusXML struct {
	DBParameterGroupName string `xml:"DBParameterGroupName"`
	ParameterApplyStatus string `xml:"ParameterApplyStatus"`
}

// dbInstanceResult is the result of the actions that answer one instance.
type dbInstanceResult struct {
	DBInstance dbInstanceXML `xml:"DBInstance"`
}

// describeDBInstancesResult is the result of DescribeDBInstances.
type describeDBInstancesResult struct {
	DBInstances []dbInstanceXML `xml:"DBInstances>DBInstance"`
	Marker      string          `xml:"Marker,omitempty"`
}

// hostedZoneID is the Route 53 zone RDS endpoints of us-east-1 live in; the
// local cloud's endpoints are addresses, but clients may expect the field.
const hostedZoneID = "Z2R2ITUGPM61AM"

// xmlOf returns the instance as RDS describes it.
func (s *Service) xmlOf(d dbInstance) dbInstanceXML {
	x := dbInstanceXML{
		DBInstanceIdentifier:       d.ID,
		DBInstanceClass:            d.Class,
		Engine:                     d.Engine,
		DBInstanceStatus:           d.Status,
		MasterUsername:             d.MasterUsername,
		DBName:                     d.DBName,
		AllocatedStorage:           d.AllocatedStorage,
		PreferredBackupWindow:      d.BackupWindow,
		BackupRetentionPeriod:      d.BackupRetention,
		AvailabilityZone:           d.AvailabilityZone,
		PreferredMaintenanceWindow: d.MaintenanceWindow,
		PendingModifiedValues:      &pendingModifiedValuesXML{},
		MultiAZ:                    d.MultiAZ,
		EngineVersion:              d.EngineVersion,
		AutoMinorVersionUpgrade:    d.AutoMinorVersionUpgrade,
		LicenseModel:               "postgresql-license",
		Iops:                       d.Iops,
		PubliclyAccessible:         d.PubliclyAccessible,
		StorageType:                d.StorageType,
		StorageEncrypted:           d.StorageEncrypted,
		DbiResourceID:              d.ResourceID,
		CACertificateIdentifier:    "rds-ca-rsa2048-g1",
		CopyTagsToSnapshot:         d.CopyTagsToSnapshot,
		DBInstanceArn:              s.rdsARN(d.Region, "db", d.ID),
		DeletionProtection:         d.DeletionProtection,
		MaxAllocatedStorage:        d.MaxStorage,
		TagList:                    d.Tags,
		NetworkType:                "IPV4",
		BackupTarget:               "region",
		DBParameterGroups:          []dbParameterGroupStatusXML{{DBParameterGroupName: "default.postgres15", ParameterApplyStatus: "in-sync"}},
	}
	if d.MultiAZ {
		x.SecondaryAvailabilityZone = d.SecondaryZone
	}
	if d.PendingPassword != "" {
		x.PendingModifiedValues.MasterUserPassword = "****"
	}
	if d.Status != dbCreating {
		x.InstanceCreateTime = d.Created.UTC().Format(time.RFC3339Nano)
	}
	// RDS has no endpoint before the instance is first available.
	if d.Host != "" && d.Status != dbCreating && d.Status != dbFailed {
		x.Endpoint = &endpointXML{Address: d.Host, Port: int32(d.Port), HostedZoneID: hostedZoneID} //nolint:gosec // G115: ports fit.
	}
	for _, g := range d.SecurityGroups {
		x.VpcSecurityGroups = append(x.VpcSecurityGroups, vpcSecurityGroupXML{VpcSecurityGroupID: g, Status: "active"})
	}
	if g, ok, _ := s.subnetGroups.Get(regionKey(d.Region, d.SubnetGroup)); ok {
		gx := s.subnetGroupXML(g)
		gx.DBSubnetGroupArn = ""
		x.DBSubnetGroup = &gx
	}
	return x
}

var (
	// dbIdentifier is RDS's rule for DB instance identifiers.
	dbIdentifier = regexp.MustCompile(`^[a-zA-Z](?:[a-zA-Z0-9]|-[a-zA-Z0-9])*$`)
	// pgName is RDS's rule for PostgreSQL database and user names.
	pgName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)
	// instanceClass is the shape of DB instance classes (db.t3.micro).
	instanceClass = regexp.MustCompile(`^db\.[a-z0-9-]+\.[a-z0-9]+$`)
	// engineVersion is the shape of a PostgreSQL engine version.
	engineVersion = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?$`)
)

// reservedUsers may not be master user names: RDS's own, PostgreSQL's, and
// the role the local cloud administers its servers with.
var reservedUsers = []string{"rdsadmin", "rdsrepladmin", "rds_superuser", "public", pg.Superuser}

// checkIdentifier checks a DB instance identifier as RDS does.
func checkIdentifier(id string) error {
	if id == "" {
		return missing(apiRDS, "DBInstanceIdentifier")
	}
	if len(id) > 63 || !dbIdentifier.MatchString(id) {
		return invalidValue("The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
	}
	return nil
}

// checkPassword checks a master password as RDS does for PostgreSQL.
func checkPassword(pw string) error {
	if len(pw) < 8 {
		return invalidValue("The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.")
	}
	if len(pw) > 128 {
		return invalidValue("The parameter MasterUserPassword is not a valid password because it is longer than 128 characters.")
	}
	for _, r := range pw {
		if r < 0x21 || r > 0x7e || r == '/' || r == '@' || r == '"' {
			return invalidValue("The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.")
		}
	}
	return nil
}

// checkStorage checks allocated storage (GiB) for a storage type as RDS
// does for PostgreSQL.
func checkStorage(storageType string, size int32, iops *int32) error {
	limits := map[string][2]int32{"gp2": {20, 65536}, "gp3": {20, 65536}, "io1": {100, 65536}, "io2": {100, 65536}, "standard": {5, 3072}}
	l, ok := limits[storageType]
	if !ok {
		return invalidValue("Invalid storage type: %s. Valid storage types are gp2, gp3, io1, io2 and standard.", storageType)
	}
	if size < l[0] || size > l[1] {
		return invalidCombination("Invalid storage size for engine name postgres and storage type %s: %d", storageType, size)
	}
	if (storageType == "io1" || storageType == "io2") && iops == nil {
		return invalidCombination("You must specify Iops for storage type %s.", storageType)
	}
	if iops != nil && storageType != "io1" && storageType != "io2" && storageType != "gp3" {
		return invalidCombination("You can't specify IOPS for storage type %s.", storageType)
	}
	return nil
}

// checkEngineVersion checks a requested engine version and returns the one
// to report: the local cloud runs PostgreSQL 15, so only 15.x is accepted.
func checkEngineVersion(v string) (string, error) {
	if v == "" {
		return defaultEngineVersion, nil
	}
	m := engineVersion.FindStringSubmatch(v)
	if m == nil {
		return "", invalidCombination("Cannot find version %s for postgres", v)
	}
	if m[1] != engineMajor {
		return "", invalidCombination("Cannot find version %s for postgres: the local cloud runs PostgreSQL %s only; use engine version %s or %s.x.", v, engineMajor, engineMajor, engineMajor)
	}
	if m[2] == "" {
		return defaultEngineVersion, nil
	}
	return v, nil
}

// minor returns the minor part of a 15.x version, for comparisons.
func minor(v string) int {
	m := engineVersion.FindStringSubmatch(v)
	if m == nil || m[2] == "" {
		return 0
	}
	n, _ := strconv.Atoi(m[2])
	return n
}

// checkEngine refuses every engine but PostgreSQL.
func checkEngine(engine string) error {
	switch strings.ToLower(engine) {
	case "":
		return missing(apiRDS, "Engine")
	case "postgres":
		return nil
	case "mysql", "mariadb", "aurora-mysql", "aurora-postgresql", "oracle-ee", "oracle-ee-cdb", "oracle-se2", "oracle-se2-cdb",
		"sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web", "db2-se", "db2-ae", "custom-oracle-ee", "custom-sqlserver-ee":
		return invalidValue("Invalid DB engine for the local cloud: %s. The local cloud runs PostgreSQL only; use engine postgres.", engine)
	}
	return invalidValue("Invalid DB engine: %s", engine)
}

// checkPort accepts only the port the local cloud's servers listen on.
func checkPort(port *int32) error {
	if port == nil || *port == pg.DefaultPort {
		return nil
	}
	if *port < 1150 || *port > 65535 {
		return invalidValue("Invalid port %d: the port must be between 1150 and 65535.", *port)
	}
	return invalidValue("Invalid port %d: the local cloud's PostgreSQL servers listen on port %d only.", *port, pg.DefaultPort)
}

// unsupportedParams are parameters whose meaning the local cloud cannot
// honor; a request that sets them is refused rather than half done.
var unsupportedParams = map[string]string{
	"ManageMasterUserPassword": "Secrets Manager-managed master passwords",
	"DBClusterIdentifier":      "Aurora clusters",
	"NewDBInstanceIdentifier":  "renaming DB instances",
	"RotateMasterUserPassword": "Secrets Manager-managed master passwords",
	"Domain":                   "Active Directory domains",
}

func checkUnsupported(p params) error {
	for k, what := range unsupportedParams {
		if v, ok := p[k]; ok && v != "" && v != "false" {
			return invalidCombination("The local cloud does not support %s (parameter %s).", what, k)
		}
	}
	return nil
}

// dbCreateInput is what CreateDBInstance asks for, read and checked.
type dbCreateInput struct {
	db       dbInstance
	zone     string
	groups   []string
	subnetGr string
}

// readCreate reads and checks a CreateDBInstance request.
func readCreate(c call) (dbCreateInput, error) { //nolint:gocyclo // One check per parameter, in RDS's order; splitting hides the order.
	p := c.Params
	in := dbCreateInput{}
	id := strings.ToLower(p.str("DBInstanceIdentifier"))
	if err := checkIdentifier(id); err != nil {
		return in, err
	}
	if err := checkUnsupported(p); err != nil {
		return in, err
	}
	if p.str("DBInstanceClass") == "" {
		return in, missing(apiRDS, "DBInstanceClass")
	}
	if !instanceClass.MatchString(p.str("DBInstanceClass")) {
		return in, invalidValue("Invalid DB Instance class: %s", p.str("DBInstanceClass"))
	}
	if err := checkEngine(p.str("Engine")); err != nil {
		return in, err
	}
	version, err := checkEngineVersion(p.str("EngineVersion"))
	if err != nil {
		return in, err
	}
	user := p.str("MasterUsername")
	if user == "" {
		return in, missing(apiRDS, "MasterUsername")
	}
	if len(user) > 63 || !pgName.MatchString(user) {
		return in, invalidValue("The parameter MasterUsername is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and underscores.")
	}
	if slices.Contains(reservedUsers, strings.ToLower(user)) || strings.HasPrefix(strings.ToLower(user), "pg_") {
		return in, invalidValue("MasterUsername %s cannot be used as it is a reserved word used by the engine", user)
	}
	pw := p.str("MasterUserPassword")
	if !p.has("MasterUserPassword") {
		return in, missing(apiRDS, "MasterUserPassword")
	}
	if err := checkPassword(pw); err != nil {
		return in, err
	}
	if name := p.str("DBName"); name != "" && (len(name) > 63 || !pgName.MatchString(name)) {
		return in, invalidValue("The parameter DBName is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and underscores.")
	}
	storage, err := p.optInt("AllocatedStorage")
	if err != nil {
		return in, err
	}
	if storage == nil {
		return in, missing(apiRDS, "AllocatedStorage")
	}
	st := p.str("StorageType")
	iops, err := p.optInt("Iops")
	if err != nil {
		return in, err
	}
	if st == "" {
		st = "gp2"
		if iops != nil {
			st = "io1"
		}
	}
	if err := checkStorage(st, *storage, iops); err != nil {
		return in, err
	}
	maxStorage, err := p.optInt("MaxAllocatedStorage")
	if err != nil {
		return in, err
	}
	if maxStorage != nil && *maxStorage < *storage {
		return in, invalidValue("Max storage size must be greater than storage size")
	}
	port, err := p.optInt("Port")
	if err != nil {
		return in, err
	}
	if err := checkPort(port); err != nil {
		return in, err
	}
	retention := int32(1)
	if r, err := p.optInt("BackupRetentionPeriod"); err != nil {
		return in, err
	} else if r != nil {
		retention = *r
	}
	if retention < 0 || retention > 35 {
		return in, invalidValue("Invalid backup retention period: %d. It must be between 0 and 35.", retention)
	}
	bools := map[string]*bool{}
	for _, k := range []string{"PubliclyAccessible", "MultiAZ", "DeletionProtection", "StorageEncrypted", "AutoMinorVersionUpgrade", "CopyTagsToSnapshot"} {
		if bools[k], err = p.optBool(k); err != nil {
			return in, err
		}
	}
	multiAZ := deref(bools["MultiAZ"], false)
	if multiAZ && p.str("AvailabilityZone") != "" {
		return in, invalidCombination("Requesting a specific availability zone is not valid for Multi-AZ instances.")
	}
	tags, err := rdsTags(p, "Tags")
	if err != nil {
		return in, err
	}
	if len(tags) > 50 {
		return in, clientError("TagQuotaPerResourceExceeded", "A resource can have at most 50 tags.")
	}
	in.db = dbInstance{
		Region:                  c.Region,
		ID:                      id,
		ResourceID:              "db-" + randomUpper(26),
		Status:                  dbCreating,
		Created:                 c.Now.UTC(),
		Engine:                  "postgres",
		EngineVersion:           version,
		Class:                   p.str("DBInstanceClass"),
		AllocatedStorage:        *storage,
		MaxStorage:              maxStorage,
		StorageType:             st,
		Iops:                    iops,
		DBName:                  p.str("DBName"),
		MasterUsername:          user,
		MasterPassword:          pw,
		PubliclyAccessible:      deref(bools["PubliclyAccessible"], false),
		MultiAZ:                 multiAZ,
		DeletionProtection:      deref(bools["DeletionProtection"], false),
		StorageEncrypted:        deref(bools["StorageEncrypted"], false),
		AutoMinorVersionUpgrade: deref(bools["AutoMinorVersionUpgrade"], true),
		CopyTagsToSnapshot:      deref(bools["CopyTagsToSnapshot"], false),
		BackupRetention:         retention,
		BackupWindow:            orDefault(p.str("PreferredBackupWindow"), "03:00-03:30"),
		MaintenanceWindow:       orDefault(p.str("PreferredMaintenanceWindow"), "sun:05:00-sun:05:30"),
		Tags:                    tags,
	}
	in.zone = p.str("AvailabilityZone")
	in.groups = p.strings("VpcSecurityGroupIds", "VpcSecurityGroupId")
	in.subnetGr = strings.ToLower(p.str("DBSubnetGroupName"))
	return in, nil
}

// createDBInstance starts creating a DB instance and its PostgreSQL server.
func (s *Service) createDBInstance(_ context.Context, c call) (any, error) {
	in, err := readCreate(c)
	if err != nil {
		return nil, err
	}
	db := in.db
	key := regionKey(c.Region, db.ID)
	if _, ok, err := s.dbs.Get(key); err != nil {
		return nil, err
	} else if ok {
		return nil, clientError("DBInstanceAlreadyExists", "DB instance already exists")
	}
	if err := s.place(&db, in.subnetGr, in.zone, in.groups); err != nil {
		return nil, err
	}
	db.Until = c.Now.Add(s.env.Delays.Create)
	if _, err := s.dbs.Create(key, db); err != nil {
		return nil, err
	}
	// The server starts provisioning now; Tick reports it available once
	// it accepts connections and the creation delay has passed.
	st := s.env.PG.Ensure(db.pgID(), db.spec())
	if st.Host != "" {
		db.Host, db.Port = st.Host, st.Port
	}
	return dbInstanceResult{DBInstance: s.xmlOf(db)}, nil
}

// place puts a new instance in its DB subnet group (the region's default
// one when none is named), an availability zone of it, and its VPC
// security groups (the VPC's default group when none are named).
func (s *Service) place(db *dbInstance, groupName, zone string, sgs []string) error {
	if groupName == "" {
		g, err := s.defaultSubnetGroup(db.Region)
		if err != nil {
			return err
		}
		groupName = g.Name
	}
	g, ok, err := s.subnetGroups.Get(regionKey(db.Region, groupName))
	if err != nil {
		return err
	}
	if !ok {
		return subnetGroupNotFound(groupName)
	}
	db.SubnetGroup, db.VpcID = g.Name, g.VpcID
	zones := map[string]string{}
	var order []string
	for _, sn := range g.Subnets {
		if _, ok := zones[sn.Zone]; !ok {
			zones[sn.Zone] = sn.ID
			order = append(order, sn.Zone)
		}
	}
	sort.Strings(order)
	if len(order) == 0 {
		return clientError("InvalidVPCNetworkStateFault", "DB subnet group %s has no subnets.", g.Name)
	}
	switch {
	case zone != "":
		id, ok := zones[zone]
		if !ok {
			return invalidCombination("No subnets of DB subnet group %s are in availability zone %s.", g.Name, zone)
		}
		db.AvailabilityZone, db.Subnet = zone, id
	default:
		db.AvailabilityZone, db.Subnet = order[0], zones[order[0]]
	}
	if db.MultiAZ {
		for _, z := range order {
			if z != db.AvailabilityZone {
				db.SecondaryZone = z
				break
			}
		}
	}
	groups, err := s.checkDBSecurityGroups(db.Region, db.VpcID, sgs)
	if err != nil {
		return err
	}
	db.SecurityGroups = groups
	return nil
}

// checkDBSecurityGroups checks that VPC security groups exist in the
// instance's VPC; none means the VPC's default group.
func (s *Service) checkDBSecurityGroups(region, vpcID string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		v, ok, err := s.vpcs.Get(vpcID)
		if err != nil {
			return nil, err
		}
		if ok && v.DefaultGroup != "" {
			return []string{v.DefaultGroup}, nil
		}
		return nil, nil
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		g, ok, err := s.groups.Get(id)
		if err != nil {
			return nil, err
		}
		if !ok || g.Region != region {
			return nil, invalidValue("Invalid security group , groupId= %s, groupName=.", id)
		}
		if g.VpcID != vpcID {
			return nil, clientError("InvalidVPCNetworkStateFault", "The DB instance and EC2 security group are in different VPCs. The DB instance is in %s and the EC2 security group is in %s", vpcID, g.VpcID)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// dbNotFound is RDS's answer for an unknown DB instance.
func dbNotFound(id string) error {
	return newError(http.StatusNotFound, "DBInstanceNotFound", "DBInstance %s not found.", id)
}

// getDB returns the instance named by identifier or ARN.
func (s *Service) getDB(c call, idOrARN string) (dbInstance, error) {
	if idOrARN == "" {
		return dbInstance{}, missing(apiRDS, "DBInstanceIdentifier")
	}
	id := strings.ToLower(idOrARN)
	if strings.HasPrefix(idOrARN, "arn:") {
		res, err := s.parseRDSARN(c.Region, idOrARN)
		if err != nil || res.Kind != "db" {
			return dbInstance{}, invalidValue("The parameter DBInstanceIdentifier is not a valid identifier: %s", idOrARN)
		}
		id = res.Name
	}
	db, ok, err := s.dbs.Get(regionKey(c.Region, id))
	if err != nil {
		return dbInstance{}, err
	}
	if !ok {
		return dbInstance{}, dbNotFound(id)
	}
	return db, nil
}

// describeDBInstances describes one instance, or all of the region's that
// pass the filters, a page at a time.
func (s *Service) describeDBInstances(_ context.Context, c call) (any, error) {
	p := c.Params
	if id := p.str("DBInstanceIdentifier"); id != "" {
		db, err := s.getDB(c, id)
		if err != nil {
			return nil, err
		}
		return describeDBInstancesResult{DBInstances: []dbInstanceXML{s.xmlOf(db)}}, nil
	}
	filters := p.structs("Filters", "Filter")
	all, err := s.dbs.List()
	if err != nil {
		return nil, err
	}
	var match []dbInstance
	for _, db := range all {
		if db.Region != c.Region {
			continue
		}
		ok, err := s.dbMatches(db, filters)
		if err != nil {
			return nil, err
		}
		if ok {
			match = append(match, db)
		}
	}
	page, marker, err := rdsPage(p, match, func(d dbInstance) string { return d.ID })
	if err != nil {
		return nil, err
	}
	out := describeDBInstancesResult{DBInstances: []dbInstanceXML{}, Marker: marker}
	for _, db := range page {
		out.DBInstances = append(out.DBInstances, s.xmlOf(db))
	}
	return out, nil
}

// dbMatches reports whether an instance passes every filter.
func (s *Service) dbMatches(db dbInstance, filters []params) (bool, error) {
	for _, f := range filters {
		values := f.strings("Values", "Value")
		var have []string
		switch f.str("Name") {
		case "db-instance-id":
			have = []string{db.ID, s.rdsARN(db.Region, "db", db.ID)}
		case "dbi-resource-id":
			have = []string{db.ResourceID}
		case "engine":
			have = []string{db.Engine}
		case "db-cluster-id", "domain":
			have = nil
		default:
			return false, invalidValue("Unrecognized filter name: %s.", f.str("Name"))
		}
		if !anyIn(have, values) {
			return false, nil
		}
	}
	return true, nil
}

// anyIn reports whether any of have is among want.
func anyIn(have, want []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

// rdsPage cuts a page out of items sorted by key: after the Marker, at
// most MaxRecords (20 to 100, 100 when unset).
func rdsPage[T any](p params, items []T, key func(T) string) ([]T, string, error) {
	limit := int32(100)
	if m, err := p.optInt("MaxRecords"); err != nil {
		return nil, "", err
	} else if m != nil {
		if *m < 20 || *m > 100 {
			return nil, "", invalidValue("Invalid value %d for MaxRecords. Must be between 20 and 100", *m)
		}
		limit = *m
	}
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	start := 0
	if marker := p.str("Marker"); marker != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > marker })
	}
	end := min(start+int(limit), len(items))
	page := items[start:end]
	if end < len(items) {
		return page, key(items[end-1]), nil
	}
	return page, "", nil
}

// modifyDBInstance changes an available instance. Changes apply at once
// whatever ApplyImmediately says (the local cloud has no maintenance
// window); the instance is modifying for Delays.Modify, and a new master
// password is set on the server before it is available again.
func (s *Service) modifyDBInstance(_ context.Context, c call) (any, error) { //nolint:gocyclo // One block per modifiable field.
	p := c.Params
	db, err := s.getDB(c, p.str("DBInstanceIdentifier"))
	if err != nil {
		return nil, err
	}
	if err := checkUnsupported(p); err != nil {
		return nil, err
	}
	if db.Status != dbAvailable {
		return nil, clientError("InvalidDBInstanceState", "Database instance is not in available state.")
	}
	next := db
	if v := p.str("DBInstanceClass"); v != "" {
		if !instanceClass.MatchString(v) {
			return nil, invalidValue("Invalid DB Instance class: %s", v)
		}
		next.Class = v
	}
	if v := p.str("EngineVersion"); v != "" {
		ver, err := checkEngineVersion(v)
		if err != nil {
			return nil, err
		}
		if minor(ver) < minor(db.EngineVersion) {
			return nil, invalidCombination("Cannot upgrade postgres from %s to %s", db.EngineVersion, ver)
		}
		next.EngineVersion = ver
	}
	iops, err := p.optInt("Iops")
	if err != nil {
		return nil, err
	}
	if iops != nil {
		next.Iops = iops
	}
	if v := p.str("StorageType"); v != "" {
		next.StorageType = v
	}
	if size, err := p.optInt("AllocatedStorage"); err != nil {
		return nil, err
	} else if size != nil && *size != db.AllocatedStorage {
		if *size < db.AllocatedStorage {
			return nil, invalidCombination("Invalid storage size: you can't decrease the allocated storage of a DB instance (%d GiB).", db.AllocatedStorage)
		}
		if int64(*size)*10 < int64(db.AllocatedStorage)*11 {
			return nil, invalidCombination("Invalid storage size: the allocated storage must grow by at least 10%% (from %d GiB).", db.AllocatedStorage)
		}
		next.AllocatedStorage = *size
	}
	if next.StorageType != db.StorageType || next.AllocatedStorage != db.AllocatedStorage || iops != nil {
		if err := checkStorage(next.StorageType, next.AllocatedStorage, next.Iops); err != nil {
			return nil, err
		}
	}
	if m, err := p.optInt("MaxAllocatedStorage"); err != nil {
		return nil, err
	} else if m != nil {
		next.MaxStorage = m
		if *m == 0 {
			next.MaxStorage = nil
		}
	}
	port, err := p.optInt("DBPortNumber")
	if err != nil {
		return nil, err
	}
	if err := checkPort(port); err != nil {
		return nil, err
	}
	if r, err := p.optInt("BackupRetentionPeriod"); err != nil {
		return nil, err
	} else if r != nil {
		if *r < 0 || *r > 35 {
			return nil, invalidValue("Invalid backup retention period: %d. It must be between 0 and 35.", *r)
		}
		next.BackupRetention = *r
	}
	for k, dst := range map[string]*bool{
		"PubliclyAccessible": &next.PubliclyAccessible, "MultiAZ": &next.MultiAZ, "DeletionProtection": &next.DeletionProtection,
		"AutoMinorVersionUpgrade": &next.AutoMinorVersionUpgrade, "CopyTagsToSnapshot": &next.CopyTagsToSnapshot,
	} {
		b, err := p.optBool(k)
		if err != nil {
			return nil, err
		}
		if b != nil {
			*dst = *b
		}
	}
	next.BackupWindow = orDefault(p.str("PreferredBackupWindow"), next.BackupWindow)
	next.MaintenanceWindow = orDefault(p.str("PreferredMaintenanceWindow"), next.MaintenanceWindow)
	if name := strings.ToLower(p.str("DBSubnetGroupName")); name != "" && name != db.SubnetGroup {
		g, ok, err := s.subnetGroups.Get(regionKey(c.Region, name))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, subnetGroupNotFound(name)
		}
		if g.VpcID != db.VpcID {
			return nil, clientError("InvalidVPCNetworkStateFault", "The local cloud cannot move a DB instance to a DB subnet group of another VPC (%s is in %s, the instance in %s).", g.Name, g.VpcID, db.VpcID)
		}
		next.SubnetGroup = g.Name
		if err := s.place(&next, g.Name, "", next.SecurityGroups); err != nil {
			return nil, err
		}
	}
	if ids := p.strings("VpcSecurityGroupIds", "VpcSecurityGroupId"); len(ids) > 0 {
		groups, err := s.checkDBSecurityGroups(c.Region, next.VpcID, ids)
		if err != nil {
			return nil, err
		}
		next.SecurityGroups = groups
	}
	if next.MultiAZ && next.SecondaryZone == "" {
		if err := s.place(&next, next.SubnetGroup, next.AvailabilityZone, next.SecurityGroups); err != nil {
			return nil, err
		}
	}
	if p.has("MasterUserPassword") {
		if err := checkPassword(p.str("MasterUserPassword")); err != nil {
			return nil, err
		}
		next.PendingPassword = p.str("MasterUserPassword")
	}
	if modified(db, next) {
		next.Status, next.Until = dbModifying, c.Now.Add(s.env.Delays.Modify)
	}
	if err := s.dbs.Put(regionKey(c.Region, db.ID), next); err != nil {
		return nil, err
	}
	return dbInstanceResult{DBInstance: s.xmlOf(next)}, nil
}

// modified reports whether a modification changes anything that takes the
// instance through the modifying state. Deletion protection, backup
// windows and tags-to-snapshots change at once, as in RDS.
func modified(old, next dbInstance) bool {
	return old.Class != next.Class || old.EngineVersion != next.EngineVersion || old.AllocatedStorage != next.AllocatedStorage ||
		old.StorageType != next.StorageType || !sameInt(old.Iops, next.Iops) || old.MultiAZ != next.MultiAZ ||
		old.PubliclyAccessible != next.PubliclyAccessible || old.BackupRetention != next.BackupRetention ||
		old.SubnetGroup != next.SubnetGroup || !slices.Equal(old.SecurityGroups, next.SecurityGroups) || next.PendingPassword != ""
}

func sameInt(a, b *int32) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// deleteDBInstance starts deleting an instance: it is deleting for
// Delays.Delete, then its server and data are removed and it is gone.
// Final snapshots are accepted by name but not taken.
func (s *Service) deleteDBInstance(_ context.Context, c call) (any, error) {
	p := c.Params
	db, err := s.getDB(c, p.str("DBInstanceIdentifier"))
	if err != nil {
		return nil, err
	}
	skip, err := p.optBool("SkipFinalSnapshot")
	if err != nil {
		return nil, err
	}
	snapshot := p.str("FinalDBSnapshotIdentifier")
	switch {
	case deref(skip, false) && snapshot != "":
		return nil, invalidCombination("FinalDBSnapshotIdentifier can't be specified when SkipFinalSnapshot is enabled.")
	case !deref(skip, false) && snapshot == "":
		return nil, invalidCombination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
	}
	if snapshot != "" {
		if err := checkIdentifier(snapshot); err != nil {
			return nil, invalidValue("The parameter FinalDBSnapshotIdentifier is not a valid identifier.")
		}
	}
	if db.DeletionProtection {
		return nil, invalidCombination("Cannot delete protected DB Instance, please disable deletion protection and try again.")
	}
	switch db.Status {
	case dbDeleting:
		return nil, clientError("InvalidDBInstanceState", "Instance %s is already being deleted.", db.ID)
	case dbCreating:
		if snapshot != "" {
			return nil, clientError("InvalidDBInstanceState", "Instance %s is currently creating - a final snapshot cannot be taken.", db.ID)
		}
	case dbStopping, dbStarting:
		return nil, clientError("InvalidDBInstanceState", "Instance %s is in %s state and cannot be deleted now.", db.ID, db.Status)
	}
	db.Status, db.Until = dbDeleting, c.Now.Add(s.env.Delays.Delete)
	if err := s.dbs.Put(regionKey(c.Region, db.ID), db); err != nil {
		return nil, err
	}
	return dbInstanceResult{DBInstance: s.xmlOf(db)}, nil
}

// stopDBInstance stops an available instance: stopping for Delays.Stop,
// then its server stops (keeping its data) and it is stopped.
func (s *Service) stopDBInstance(_ context.Context, c call) (any, error) {
	db, err := s.getDB(c, c.Params.str("DBInstanceIdentifier"))
	if err != nil {
		return nil, err
	}
	if db.Status != dbAvailable {
		return nil, clientError("InvalidDBInstanceState", "Instance %s is not in available state.", db.ID)
	}
	db.Status, db.Until = dbStopping, c.Now.Add(s.env.Delays.Stop)
	if err := s.dbs.Put(regionKey(c.Region, db.ID), db); err != nil {
		return nil, err
	}
	return dbInstanceResult{DBInstance: s.xmlOf(db)}, nil
}

// startDBInstance starts a stopped instance: starting until its server
// accepts connections and Delays.Start has passed.
func (s *Service) startDBInstance(_ context.Context, c call) (any, error) {
	db, err := s.getDB(c, c.Params.str("DBInstanceIdentifier"))
	if err != nil {
		return nil, err
	}
	if db.Status != dbStopped {
		return nil, clientError("InvalidDBInstanceState", "Instance %s cannot be started as it is not in stopped state.", db.ID)
	}
	db.Status, db.Until = dbStarting, c.Now.Add(s.env.Delays.Start)
	if err := s.dbs.Put(regionKey(c.Region, db.ID), db); err != nil {
		return nil, err
	}
	s.env.PG.Ensure(db.pgID(), db.spec())
	return dbInstanceResult{DBInstance: s.xmlOf(db)}, nil
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
