// Package mergepatch applies JSON merge patches (RFC 7396) to decoded JSON
// values. The API's PATCH routes and the NDJSON import's merge mode both
// use it, so a patch means the same whichever way it comes in.
package mergepatch

// Apply applies patch to target as RFC 7396 §2 says and returns the result.
// Both are values as encoding/json decodes into any: objects are
// map[string]any. A patch that is not an object replaces the target; a
// member whose value is null removes that member of the target; any other
// member is merged into the target's member of the same name, recursively.
// Apply may change target's maps in place.
func Apply(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = Apply(t[k], v)
	}
	return t
}
