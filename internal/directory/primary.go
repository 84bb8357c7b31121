package directory

import "context"

// primaryKey marks a context whose reads must see every committed write.
type primaryKey struct{}

// WithPrimary returns ctx marked so that the store answers its reads from
// the primary database, never from a read replica that may lag behind it:
// for requests that act on the latest state (If-Match) or that ask for it
// (a client reading its own write). Stores without replicas ignore it.
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// ReadsPrimary reports whether ctx was marked by WithPrimary.
func ReadsPrimary(ctx context.Context) bool {
	v, _ := ctx.Value(primaryKey{}).(bool)
	return v
}
