package clients

import (
	"context"
	"strings"

	"google.golang.org/api/option"
	sqladmin "google.golang.org/api/sqladmin/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// sqlOperationPrefix starts the reference of a Cloud SQL operation, which
// belongs to the project rather than to a zone or region.
const sqlOperationPrefix = "operations/"

// SQL calls the Cloud SQL Admin API (v1) for one project. Its methods are
// the calls the controllers make, one HTTP request each; mutations return
// the long-running operation they started.
type SQL struct {
	project string
	svc     *sqladmin.Service
}

// NewSQL returns a Cloud SQL Admin client for project, built with opts
// (endpoint and credentials).
func NewSQL(ctx context.Context, project string, opts ...option.ClientOption) (*SQL, error) {
	svc, err := sqladmin.NewService(ctx, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create Cloud SQL Admin client")
	}
	return &SQL{project: project, svc: svc}, nil
}

// Project returns the project the client manages.
func (s *SQL) Project() string { return s.project }

// GetInstance returns the instance called name.
func (s *SQL) GetInstance(ctx context.Context, name string) (*sqladmin.DatabaseInstance, error) {
	return s.svc.Instances.Get(s.project, name).Context(ctx).Do()
}

// InsertInstance creates an instance.
func (s *SQL) InsertInstance(ctx context.Context, in *sqladmin.DatabaseInstance) (*Operation, error) {
	return sqlOperation(s.svc.Instances.Insert(s.project, in).Context(ctx).Do())
}

// PatchInstance changes the fields of the instance called name that in
// sets.
func (s *SQL) PatchInstance(ctx context.Context, name string, in *sqladmin.DatabaseInstance) (*Operation, error) {
	return sqlOperation(s.svc.Instances.Patch(s.project, name, in).Context(ctx).Do())
}

// DeleteInstance deletes the instance called name.
func (s *SQL) DeleteInstance(ctx context.Context, name string) (*Operation, error) {
	return sqlOperation(s.svc.Instances.Delete(s.project, name).Context(ctx).Do())
}

// GetUser returns the user name (of host, for MySQL) of instance.
func (s *SQL) GetUser(ctx context.Context, instance, name, host string) (*sqladmin.User, error) {
	call := s.svc.Users.Get(s.project, instance, name)
	if host != "" {
		call = call.Host(host)
	}
	return call.Context(ctx).Do()
}

// InsertUser creates a user of instance.
func (s *SQL) InsertUser(ctx context.Context, instance string, u *sqladmin.User) (*Operation, error) {
	return sqlOperation(s.svc.Users.Insert(s.project, instance, u).Context(ctx).Do())
}

// UpdateUser changes the user name (of host, for MySQL) of instance.
func (s *SQL) UpdateUser(ctx context.Context, instance, name, host string, u *sqladmin.User) (*Operation, error) {
	call := s.svc.Users.Update(s.project, instance, u).Name(name)
	if host != "" {
		call = call.Host(host)
	}
	return sqlOperation(call.Context(ctx).Do())
}

// DeleteUser deletes the user name (of host, for MySQL) of instance.
func (s *SQL) DeleteUser(ctx context.Context, instance, name, host string) (*Operation, error) {
	call := s.svc.Users.Delete(s.project, instance).Name(name)
	if host != "" {
		call = call.Host(host)
	}
	return sqlOperation(call.Context(ctx).Do())
}

// GetDatabase returns the database name of instance.
func (s *SQL) GetDatabase(ctx context.Context, instance, name string) (*sqladmin.Database, error) {
	return s.svc.Databases.Get(s.project, instance, name).Context(ctx).Do()
}

// InsertDatabase creates a database in instance.
func (s *SQL) InsertDatabase(ctx context.Context, instance string, d *sqladmin.Database) (*Operation, error) {
	return sqlOperation(s.svc.Databases.Insert(s.project, instance, d).Context(ctx).Do())
}

// PatchDatabase changes the fields of the database name of instance that d
// sets.
func (s *SQL) PatchDatabase(ctx context.Context, instance, name string, d *sqladmin.Database) (*Operation, error) {
	return sqlOperation(s.svc.Databases.Patch(s.project, instance, name, d).Context(ctx).Do())
}

// DeleteDatabase deletes the database name of instance.
func (s *SQL) DeleteDatabase(ctx context.Context, instance, name string) (*Operation, error) {
	return sqlOperation(s.svc.Databases.Delete(s.project, instance, name).Context(ctx).Do())
}

// GetOperation returns the operation ref names, as a mutation returned it.
func (s *SQL) GetOperation(ctx context.Context, ref string) (*Operation, error) {
	name, ok := strings.CutPrefix(ref, sqlOperationPrefix)
	if !ok || name == "" {
		return nil, errors.Wrapf(errNotAnOperation, "%q is not a Cloud SQL operation", ref)
	}
	return sqlOperation(s.svc.Operations.Get(s.project, name).Context(ctx).Do())
}

// sqlOperation turns what a Cloud SQL call returned into an Operation.
func sqlOperation(op *sqladmin.Operation, err error) (*Operation, error) {
	if err != nil {
		return nil, err
	}
	o := &Operation{Ref: sqlOperationPrefix + op.Name, Type: op.OperationType, Done: op.Status == "DONE"}
	if op.Error != nil && len(op.Error.Errors) > 0 {
		msgs := make([]string, 0, len(op.Error.Errors))
		for _, e := range op.Error.Errors {
			msgs = append(msgs, joinNonEmpty(": ", e.Code, e.Message))
		}
		o.Error = strings.Join(msgs, "; ")
	}
	return o, nil
}

// joinNonEmpty joins the parts that are not empty with sep.
func joinNonEmpty(sep string, parts ...string) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
