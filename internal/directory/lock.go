package directory

import (
	"context"
	"sync"
)

// recordLocks serialises the read-change-write cycles of one record within
// this process, so that concurrent writes without a precondition queue
// rather than each reading a version another is about to replace. It is an
// optimisation, not what makes them correct: a write of another process (or
// of an import) is still caught by the version check and retried.
type recordLocks struct {
	mu   sync.Mutex
	byID map[string]*recordLock
}

// recordLock is one record's lock: a token in ch, and how many callers hold
// or wait for it, so that the map forgets a record nobody writes.
type recordLock struct {
	ch    chan struct{}
	users int
}

// lock waits until the caller holds the lock of the record with id, or ctx
// ends; the returned function releases it.
func (l *recordLocks) lock(ctx context.Context, id string) (unlock func(), err error) {
	l.mu.Lock()
	if l.byID == nil {
		l.byID = map[string]*recordLock{}
	}
	r := l.byID[id]
	if r == nil {
		r = &recordLock{ch: make(chan struct{}, 1)}
		l.byID[id] = r
	}
	r.users++
	l.mu.Unlock()
	select {
	case r.ch <- struct{}{}:
		return func() { <-r.ch; l.forget(id, r) }, nil
	case <-ctx.Done():
		l.forget(id, r)
		return nil, ctx.Err()
	}
}

func (l *recordLocks) forget(id string, r *recordLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.users--; r.users == 0 {
		delete(l.byID, id)
	}
}
