package aws

import (
	"context"
	"time"
)

// A dbJob is work on a DB instance's server that blocks (setting a
// password, stopping, removing), done by Tick outside the service's lock.
type dbJob struct {
	key string
	db  dbInstance
	run func(ctx context.Context, db dbInstance) error
	// done records the outcome in the row, under the lock; it is skipped
	// when run fails, so the next Tick tries again.
	done func(key string, db dbInstance) error
}

// tickDBs moves the DB instances whose transitions are due, keeps the
// servers of running instances up, and then does the blocking work.
func (s *Service) tickDBs(ctx context.Context, now time.Time) {
	jobs := s.planDBs(now)
	for _, j := range jobs {
		if ctx.Err() != nil {
			return
		}
		if err := j.run(ctx, j.db); err != nil {
			s.env.Log.Debug("DB instance server work failed; retrying", "instance", j.db.ID, "error", err)
			continue
		}
		s.mu.Lock()
		err := j.done(j.key, j.db)
		s.mu.Unlock()
		if err != nil {
			s.env.Log.Info("Cannot record DB instance state", "instance", j.db.ID, "error", err)
		}
	}
}

// planDBs makes the state changes that do not block and returns the
// blocking work.
func (s *Service) planDBs(now time.Time) []dbJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := s.dbs.IDs()
	var jobs []dbJob
	for _, key := range keys {
		db, ok, err := s.dbs.Get(key)
		if err != nil || !ok {
			continue
		}
		if j, ok := s.stepDB(key, db, now); ok {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// stepDB moves one instance on, returning blocking work for it if any.
func (s *Service) stepDB(key string, db dbInstance, now time.Time) (dbJob, bool) { //nolint:gocyclo // One case per status.
	due := !now.Before(db.Until)
	switch db.Status {
	case dbCreating, dbStarting, dbFailed:
		st := s.env.PG.Ensure(db.pgID(), db.spec())
		switch {
		case st.Ready && (due || db.Status == dbFailed):
			s.update(key, func(d *dbInstance) { d.Status, d.Host, d.Port = dbAvailable, st.Host, st.Port })
		case st.Err != nil && db.Status == dbCreating && now.After(db.Until.Add(failAfter)):
			s.env.Log.Info("DB instance server cannot be brought up", "instance", db.ID, "error", st.Err)
			s.update(key, func(d *dbInstance) { d.Status = dbFailed })
		}
	case dbModifying:
		st := s.env.PG.Ensure(db.pgID(), db.spec())
		if db.PendingPassword != "" {
			if !st.Ready {
				return dbJob{}, false
			}
			return dbJob{key: key, db: db, run: s.setPassword, done: s.passwordSet}, true
		}
		if due && st.Ready {
			s.update(key, func(d *dbInstance) { d.Status, d.Host, d.Port = dbAvailable, st.Host, st.Port })
		}
	case dbAvailable:
		// A server that died, or that a restart of the local cloud left
		// stopped, comes back.
		st := s.env.PG.Ensure(db.pgID(), db.spec())
		if st.Ready && (st.Host != db.Host || st.Port != db.Port) {
			s.update(key, func(d *dbInstance) { d.Host, d.Port = st.Host, st.Port })
		}
	case dbStopping:
		if due {
			return dbJob{key: key, db: db, run: s.stopServer, done: s.serverStopped}, true
		}
	case dbDeleting:
		if due {
			return dbJob{key: key, db: db, run: s.removeServer, done: s.serverRemoved}, true
		}
	}
	return dbJob{}, false
}

// update changes a row, logging failures: Tick has no one to answer to.
func (s *Service) update(key string, fn func(*dbInstance)) {
	if _, err := s.dbs.Update(key, func(d *dbInstance) error { fn(d); return nil }); err != nil {
		s.env.Log.Info("Cannot update DB instance", "key", key, "error", err)
	}
}

func (s *Service) setPassword(ctx context.Context, db dbInstance) error {
	return s.env.PG.SetRole(ctx, db.pgID(), db.MasterUsername, db.PendingPassword)
}

// passwordSet records the new password as the master password, unless
// another one was asked for meanwhile.
func (s *Service) passwordSet(key string, db dbInstance) error {
	_, err := s.dbs.Update(key, func(d *dbInstance) error {
		if d.PendingPassword == db.PendingPassword {
			d.MasterPassword, d.PendingPassword = db.PendingPassword, ""
		}
		return nil
	})
	return err
}

func (s *Service) stopServer(_ context.Context, db dbInstance) error {
	return s.env.PG.Stop(db.pgID())
}

func (s *Service) serverStopped(key string, _ dbInstance) error {
	_, err := s.dbs.Update(key, func(d *dbInstance) error {
		if d.Status == dbStopping {
			d.Status = dbStopped
		}
		return nil
	})
	return err
}

func (s *Service) removeServer(_ context.Context, db dbInstance) error {
	return s.env.PG.Remove(db.pgID())
}

func (s *Service) serverRemoved(key string, _ dbInstance) error {
	return s.dbs.Delete(key)
}
