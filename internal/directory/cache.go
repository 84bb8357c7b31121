package directory

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Cache is a Store that remembers the answers of its most asked reads
// (lists, counts, the focus-area vocabulary, one organization and its
// contacts) for as long as nothing has been written to the stored
// directory. Before every cached read it asks the store's data version,
// which changes with every write committed by any connection of any
// process sharing the database, and forgets everything when it has
// changed; so an answer is never older than the last write committed before
// the read began, the same guarantee the store itself gives. Writes and
// every other method pass through to the Store.
type Cache struct {
	Store
	version    func(context.Context) (uint64, error)
	maxEntries int

	mu      sync.Mutex
	at      uint64            // the data version the entries were read at
	entries map[string]*entry // answers by key
}

// entry is one answer, or the read of it in flight: the first reader of a
// key reads it, and those that ask meanwhile wait for that answer rather
// than read the same again (after every write, popular answers are asked
// for by many clients at once).
type entry struct {
	done   chan struct{} // closed when answer and err are set
	answer any
	err    error
}

// NewCache returns a Cache of at most maxEntries answers over store.
// version must return a number that grows with every committed write to
// the stored directory, whichever process made it (the SQLite store's
// DataVersion).
func NewCache(store Store, version func(context.Context) (uint64, error), maxEntries int) *Cache {
	return &Cache{Store: store, version: version, maxEntries: maxEntries, entries: map[string]*entry{}}
}

// cached returns the answer stored under key at the current data version,
// or reads it with read and keeps it. The version is taken before read
// runs, so a kept answer is at least as new as the version it is filed
// under. When the version cannot be read, neither can the answer be
// trusted: read runs uncached.
func cached[T any](ctx context.Context, c *Cache, key string, read func() (T, error)) (T, error) {
	v, err := c.versionFor(ctx)
	if err != nil {
		return read()
	}
	c.mu.Lock()
	if v > c.at {
		c.at, c.entries = v, make(map[string]*entry, len(c.entries))
	}
	if v != c.at { // a reader that saw an older version than another
		c.mu.Unlock()
		return read()
	}
	e, ok := c.entries[key]
	if !ok {
		if len(c.entries) >= c.maxEntries {
			for k := range c.entries { // an arbitrary one: map order is random
				delete(c.entries, k)
				break
			}
		}
		e = &entry{done: make(chan struct{})}
		c.entries[key] = e
	}
	c.mu.Unlock()

	if ok {
		select {
		case <-e.done:
			if e.err == nil {
				return e.answer.(T), nil
			}
			return read() // the read failed for its own caller (its context ended): try ours
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
	answer, err := read()
	e.answer, e.err = answer, err
	close(e.done)
	if err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	return answer, err
}

// sharedVersion is the data version that the reads made with one context
// share (WithSharedVersion), taken by the first of them.
type sharedVersion struct {
	once sync.Once
	v    uint64
	err  error
}

// sharedVersionKey is the context key of a *sharedVersion.
type sharedVersionKey struct{}

// WithSharedVersion returns ctx marked so that a Cache's reads made with it
// ask the store's data version once, the first of them, rather than once
// each: a page that makes several cached reads (an organization with its
// contacts, a list with its counts and labels) pays one question to the
// store. Each answer is still at least as new as that version, so never
// older than the last write committed before the first read. It is not a
// snapshot: a read whose answer is not cached at that version (or whose
// cache has moved on to a newer one) reads the store as it is then, so two
// reads may straddle a write committed between them, as two uncached reads
// may. Mark only reads that belong to one request and that no write of the
// caller's comes between (a read after one's own write must ask anew). A
// ctx already marked is returned as it is.
func WithSharedVersion(ctx context.Context) context.Context {
	if _, ok := ctx.Value(sharedVersionKey{}).(*sharedVersion); ok {
		return ctx
	}
	return context.WithValue(ctx, sharedVersionKey{}, &sharedVersion{})
}

// versionFor returns the data version for a read made with ctx: the shared
// one (WithSharedVersion), else the store's now.
func (c *Cache) versionFor(ctx context.Context) (uint64, error) {
	s, ok := ctx.Value(sharedVersionKey{}).(*sharedVersion)
	if !ok {
		return c.version(ctx)
	}
	s.once.Do(func() { s.v, s.err = c.version(ctx) })
	return s.v, s.err
}

// page is a cached list answer.
type page struct {
	items []Organization
	total int
}

// ListOrganizations implements Store. Callers get their own copy of the
// page's items, which they may change (the Service redacts them).
func (c *Cache) ListOrganizations(ctx context.Context, q ListQuery, search SearchQuery, private bool) ([]Organization, int, error) {
	key := fmt.Sprintf("list %#v %#v %t", q, search, private)
	p, err := cached(ctx, c, key, func() (page, error) {
		items, total, err := c.Store.ListOrganizations(ctx, q, search, private)
		return page{items, total}, err
	})
	return slices.Clone(p.items), p.total, err
}

// Organization implements Store.
func (c *Cache) Organization(ctx context.Context, idOrSlug string) (Organization, error) {
	return cached(ctx, c, "org "+idOrSlug, func() (Organization, error) { return c.Store.Organization(ctx, idOrSlug) })
}

// Contacts implements Store.
func (c *Cache) Contacts(ctx context.Context, organizationID string, private bool) ([]Contact, error) {
	list, err := cached(ctx, c, fmt.Sprintf("contacts %s %t", organizationID, private), func() ([]Contact, error) {
		return c.Store.Contacts(ctx, organizationID, private)
	})
	return slices.Clone(list), err
}

// Counts implements Store. The maps are shared: callers only read them.
func (c *Cache) Counts(ctx context.Context) (Counts, error) {
	return cached(ctx, c, "counts", func() (Counts, error) { return c.Store.Counts(ctx) })
}

// FocusAreas implements Store.
func (c *Cache) FocusAreas(ctx context.Context) ([]FocusArea, error) {
	areas, err := cached(ctx, c, "focus areas", func() ([]FocusArea, error) { return c.Store.FocusAreas(ctx) })
	return slices.Clone(areas), err
}

// VocabularyNear implements Store.
func (c *Cache) VocabularyNear(ctx context.Context, probes []TypoProbe) ([]string, error) {
	terms, err := cached(ctx, c, fmt.Sprintf("vocabulary %#v", probes), func() ([]string, error) {
		return c.Store.VocabularyNear(ctx, probes)
	})
	return slices.Clone(terms), err
}
