package gcp

import (
	"context"
	"time"

	"google.golang.org/api/sqladmin/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud/pg"
)

// tickSQL moves every Cloud SQL instance and its operation on.
func (s *Service) tickSQL(now time.Time) {
	running := map[string]bool{}
	for _, sv := range s.env.PG.Servers() {
		running[sv.ID] = sv.Running
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resetting {
		return
	}
	all, err := s.sql.instances.List()
	if err != nil {
		s.log.Info("Cannot list Cloud SQL instances", "error", err)
		return
	}
	for i := range all {
		if err := s.advanceSQLInstance(&all[i], now, running); err != nil {
			s.log.Info("Cannot advance Cloud SQL instance", "instance", all[i].Name, "error", err)
		}
	}
}

// spec is what the instance's server is provisioned with.
func (in *sqlInstance) spec() pg.Spec { return pg.Spec{User: rootUser, Password: in.RootPassword} }

func (in *sqlInstance) key() string { return in.Project + "/" + in.Name }

func (in *sqlInstance) pgID() string { return pgID(in.Project, in.Name) }

// advanceSQLInstance does what is due for one instance. s.mu is held.
func (s *Service) advanceSQLInstance(in *sqlInstance, now time.Time, running map[string]bool) error {
	if in.Op == "" {
		s.keepServer(in, running)
		return nil
	}
	op, ok, err := s.sql.ops.Get(in.Project + "/" + in.Op)
	if err != nil {
		return err
	}
	if !ok {
		in.Op = ""
		return s.saveInstance(in)
	}
	if op.View.Status == opPending {
		op.View.Status = opRunning
		op.View.StartTime = sqlTime(now)
		if err := s.sql.ops.Put(in.Project+"/"+op.View.Name, op); err != nil {
			return err
		}
	}
	switch op.View.OperationType {
	case "CREATE":
		return s.advanceCreate(in, &op, now)
	case "UPDATE":
		return s.advanceUpdate(in, &op, now, running)
	case "RESTART":
		return s.advanceRestart(in, &op, now)
	case "DELETE":
		s.advanceDelete(in, &op, now)
		return nil
	default:
		s.advanceChild(in, &op, now)
		return nil
	}
}

// keepServer keeps an idle instance's server as its activation policy
// says: running (started again after a crash or restart) or stopped.
func (s *Service) keepServer(in *sqlInstance, running map[string]bool) {
	if in.View.State != stateRunnable {
		return
	}
	if in.View.Settings.ActivationPolicy == policyNever {
		if running[in.pgID()] {
			s.stopServer(in)
		}
		return
	}
	s.env.PG.Ensure(in.pgID(), in.spec())
}

func (s *Service) stopServer(in *sqlInstance) {
	id := in.pgID()
	s.jobs.start("sql/stop/"+in.key(), func(context.Context) {
		if err := s.env.PG.Stop(id); err != nil {
			s.log.Info("Cannot stop PostgreSQL server", "instance", id, "error", err)
		}
	})
}

// finishOp ends in's operation, with failure as its error if not nil.
func (s *Service) finishOp(in *sqlInstance, op *sqlOp, now time.Time, failure error) error {
	op.View.Status = opDone
	if op.View.StartTime == "" {
		op.View.StartTime = sqlTime(now)
	}
	op.View.EndTime = sqlTime(now)
	op.Password = ""
	if failure != nil {
		op.View.Error = &sqladmin.OperationErrors{
			Kind:   "sql#operationErrors",
			Errors: []*sqladmin.OperationError{{Kind: "sql#operationError", Code: "ERROR_RDBMS", Message: failure.Error()}},
		}
	}
	if err := s.sql.ops.Put(op.Project+"/"+op.View.Name, *op); err != nil {
		return err
	}
	in.Op = ""
	in.Until = time.Time{}
	return s.saveInstance(in)
}

// setAddresses reports the server's address as the instance's public
// and/or private IP.
func (in *sqlInstance) setAddresses() {
	in.View.IpAddresses = nil
	if in.Host == "" {
		return
	}
	ip := in.View.Settings.IpConfiguration
	if ip == nil || ip.Ipv4Enabled {
		in.View.IpAddresses = append(in.View.IpAddresses, &sqladmin.IpMapping{Type: "PRIMARY", IpAddress: in.Host})
	}
	if ip != nil && ip.PrivateNetwork != "" {
		in.View.IpAddresses = append(in.View.IpAddresses, &sqladmin.IpMapping{Type: "PRIVATE", IpAddress: in.Host})
	}
}

// noteAddress records where the server listens once the manager knows.
func (s *Service) noteAddress(in *sqlInstance, st pg.Status) error {
	if st.Host == "" || (st.Host == in.Host && st.Port == in.Port) {
		return nil
	}
	in.Host, in.Port = st.Host, st.Port
	if in.View.State == stateRunnable {
		in.setAddresses()
	}
	return s.saveInstance(in)
}

// advanceCreate finishes a creation once the server accepts connections,
// has Cloud SQL's roles, and the create delay has passed.
func (s *Service) advanceCreate(in *sqlInstance, op *sqlOp, now time.Time) error {
	st := s.env.PG.Ensure(in.pgID(), in.spec())
	if err := s.noteAddress(in, st); err != nil {
		return err
	}
	if !st.Ready || now.Before(in.Until) {
		return nil
	}
	if !in.Prepared {
		key, id := in.key(), in.pgID()
		s.jobs.start("sql/prepare/"+key, func(ctx context.Context) {
			if err := prepareServer(ctx, s.env.PG, id); err != nil {
				s.log.Info("Cannot prepare PostgreSQL server", "instance", id, "error", err)
				return
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			_, _ = s.sql.instances.Update(key, func(i *sqlInstance) error {
				i.Prepared = true
				return nil
			})
		})
		return nil
	}
	in.View.State = stateRunnable
	in.RootPassword = ""
	in.setAddresses()
	return s.finishOp(in, op, now, nil)
}

// prepareServer gives a new server what Cloud SQL's servers have: the
// cloudsqlsuperuser role, held by postgres and owning the postgres
// database, so that every user made through the API can use the databases
// made through the API.
func prepareServer(ctx context.Context, m *pg.Manager, id string) error {
	stmts := []string{
		"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + superRole + "') THEN CREATE ROLE " + pg.Ident(superRole) + " NOLOGIN CREATEDB CREATEROLE; END IF; END $$",
		"GRANT " + pg.Ident(superRole) + " TO " + pg.Ident(rootUser),
		"ALTER DATABASE postgres OWNER TO " + pg.Ident(superRole),
	}
	for _, q := range stmts {
		if err := m.Exec(ctx, id, "", q); err != nil {
			return err
		}
	}
	return nil
}

// advanceUpdate applies a patch or update once the modify delay has passed
// and finishes when the server is as the activation policy says.
func (s *Service) advanceUpdate(in *sqlInstance, op *sqlOp, now time.Time, running map[string]bool) error {
	if now.Before(in.Until) {
		// The server keeps running (or comes back after a restart of the
		// local cloud) while the change is in progress.
		s.keepServer(in, running)
		return nil
	}
	if in.Pending != nil {
		next := in.Pending
		next.SettingsVersion = in.View.Settings.SettingsVersion + 1
		in.View.Settings = next
		in.View.GceZone = next.LocationPreference.Zone
		in.Pending = nil
		in.setAddresses()
		if err := s.saveInstance(in); err != nil {
			return err
		}
	}
	if in.View.Settings.ActivationPolicy == policyNever {
		if running[in.pgID()] {
			s.stopServer(in)
			return nil
		}
		return s.finishOp(in, op, now, nil)
	}
	st := s.env.PG.Ensure(in.pgID(), in.spec())
	if err := s.noteAddress(in, st); err != nil {
		return err
	}
	if !st.Ready {
		return nil
	}
	return s.finishOp(in, op, now, nil)
}

// advanceRestart stops the server, starts it again, and finishes once it
// accepts connections and the modify delay has passed.
func (s *Service) advanceRestart(in *sqlInstance, op *sqlOp, now time.Time) error {
	if !op.Stopped {
		id, opKey := in.pgID(), in.Project+"/"+op.View.Name
		s.jobs.start("sql/restart/"+in.key(), func(context.Context) {
			if err := s.env.PG.Stop(id); err != nil {
				s.log.Info("Cannot stop PostgreSQL server", "instance", id, "error", err)
				return
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			_, _ = s.sql.ops.Update(opKey, func(o *sqlOp) error {
				o.Stopped = true
				return nil
			})
		})
		return nil
	}
	st := s.env.PG.Ensure(in.pgID(), in.spec())
	if !st.Ready || now.Before(in.Until) {
		return nil
	}
	return s.finishOp(in, op, now, nil)
}

// advanceDelete removes the server once the delete delay has passed, then
// the instance with its users and databases.
func (s *Service) advanceDelete(in *sqlInstance, op *sqlOp, now time.Time) {
	if now.Before(in.Until) {
		return
	}
	snapshot, opCopy := *in, *op
	s.jobs.start("sql/remove/"+in.key(), func(context.Context) {
		if err := s.env.PG.Remove(snapshot.pgID()); err != nil {
			s.log.Info("Cannot remove PostgreSQL server", "instance", snapshot.pgID(), "error", err)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.dropInstance(&snapshot, &opCopy, s.clock()); err != nil {
			s.log.Info("Cannot delete Cloud SQL instance", "instance", snapshot.Name, "error", err)
		}
	})
}

// dropInstance removes an instance's rows and finishes its delete.
func (s *Service) dropInstance(in *sqlInstance, op *sqlOp, now time.Time) error {
	prefix := in.Project + "/" + in.Name + "/"
	for _, id := range s.sql.users.IDs() {
		if len(id) > len(prefix) && id[:len(prefix)] == prefix {
			if err := s.sql.users.Delete(id); err != nil {
				return err
			}
		}
	}
	for _, id := range s.sql.databases.IDs() {
		if len(id) > len(prefix) && id[:len(prefix)] == prefix {
			if err := s.sql.databases.Delete(id); err != nil {
				return err
			}
		}
	}
	op.View.Status = opDone
	op.View.EndTime = sqlTime(now)
	if err := s.sql.ops.Put(op.Project+"/"+op.View.Name, *op); err != nil {
		return err
	}
	return s.sql.instances.Delete(in.key())
}

// advanceChild runs a user or database operation on the server.
func (s *Service) advanceChild(in *sqlInstance, op *sqlOp, now time.Time) {
	st := s.env.PG.Ensure(in.pgID(), in.spec())
	if !st.Ready || now.Before(in.Until) {
		return
	}
	id, key, opCopy := in.pgID(), in.key(), *op
	s.jobs.start("sql/op/"+op.View.Name, func(ctx context.Context) {
		err := runChildOp(ctx, s.env.PG, id, &opCopy)
		if errors.Is(err, pg.ErrNotReady) {
			return // The server went away; the next tick tries again.
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if e := s.completeChild(key, &opCopy, err); e != nil {
			s.log.Info("Cannot complete Cloud SQL operation", "operation", opCopy.View.Name, "error", e)
		}
	})
}

// runChildOp does a user or database operation's work on the server.
func runChildOp(ctx context.Context, m *pg.Manager, id string, op *sqlOp) error {
	switch op.View.OperationType {
	case "CREATE_USER", "UPDATE_USER":
		if op.SetPassword || op.View.OperationType == "CREATE_USER" {
			if err := m.SetRole(ctx, id, op.User, op.Password); err != nil {
				return err
			}
		} else {
			// An update without a password creates the user if it is
			// missing, without one, and leaves an existing one alone.
			q := "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = " + pg.Literal(op.User) + ") THEN CREATE ROLE " + pg.Ident(op.User) + " LOGIN CREATEDB CREATEROLE; END IF; END $$"
			if err := m.Exec(ctx, id, "", q); err != nil {
				return err
			}
		}
		return m.Exec(ctx, id, "", "GRANT "+pg.Ident(superRole)+" TO "+pg.Ident(op.User))
	case "DELETE_USER":
		return m.DropRole(ctx, id, op.User)
	case "CREATE_DATABASE":
		return m.CreateDatabase(ctx, id, op.Database.Name, superRole)
	case "DELETE_DATABASE":
		return m.DropDatabase(ctx, id, op.Database.Name)
	case "UPDATE_DATABASE":
		return nil
	}
	return errors.Errorf("unknown operation type %s", op.View.OperationType)
}

// completeChild records the outcome of a user or database operation.
func (s *Service) completeChild(key string, op *sqlOp, failure error) error {
	in, ok, err := s.sql.instances.Get(key)
	if err != nil || !ok {
		return err
	}
	if failure == nil {
		k := childKey(op.Project, op.Instance, op.User)
		switch op.View.OperationType {
		case "CREATE_USER", "UPDATE_USER":
			if _, exists, _ := s.sql.users.Get(k); !exists {
				err = s.sql.users.Put(k, sqlUser{Project: op.Project, Instance: op.Instance, Name: op.User, Type: "BUILT_IN"})
			}
		case "DELETE_USER":
			err = s.sql.users.Delete(k)
		case "CREATE_DATABASE", "UPDATE_DATABASE":
			err = s.sql.databases.Put(childKey(op.Project, op.Instance, op.Database.Name), sqlDatabase{Project: op.Project, Instance: op.Instance, View: *op.Database})
		case "DELETE_DATABASE":
			err = s.sql.databases.Delete(childKey(op.Project, op.Instance, op.Database.Name))
		}
		if err != nil {
			return err
		}
	}
	return s.finishOp(&in, op, s.clock(), failure)
}
