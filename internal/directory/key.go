package directory

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// APIKey is a credential with a role. Only the SHA-256 hash of its secret
// is stored: the secret has 256 random bits, so a fast hash cannot be
// reversed, and looking keys up by hash means the lookup's timing depends on
// the hash, never on how close a guess is to a real secret.
type APIKey struct {
	ID         string
	Name       string
	Role       Role
	Hash       string // hex SHA-256 of the secret
	Prefix     string // the secret's first characters, to tell keys apart in lists
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// KeySecretPrefix starts every secret, so that leaked keys are easy to
// recognise (and to scan for) in code and logs.
const KeySecretPrefix = "cdk_"

// lastUsedResolution is how stale last_used_at may get: a key's use is
// written at most once per this interval, so authentication does not turn
// every read into a database write.
const lastUsedResolution = time.Minute

// hashSecret returns the stored form of a secret.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateKey makes a key with a new secret and returns both; the secret is
// not stored and cannot be shown again. It needs the admin role.
func (s *Service) CreateKey(ctx context.Context, caller Caller, name string, role Role) (APIKey, string, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return APIKey{}, "", err
	}
	var fe fieldErrors
	name = normalizeText(name)
	checkRequired(&fe, "name", name)
	checkText(&fe, "name", name, maxShortText, false)
	if _, ok := ParseRole(string(role)); !ok {
		fe.add("role", "must be one of partner, editor, admin")
	}
	if err := fe.err("invalid key"); err != nil {
		return APIKey{}, "", err
	}
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return APIKey{}, "", fmt.Errorf("generate key secret: %w", err)
	}
	secret := KeySecretPrefix + base64.RawURLEncoding.EncodeToString(random)
	key := APIKey{
		ID:        uuid.Must(uuid.NewV7()).String(),
		Name:      name,
		Role:      role,
		Hash:      hashSecret(secret),
		Prefix:    secret[:len(KeySecretPrefix)+6],
		CreatedAt: s.now().UTC().Truncate(time.Microsecond),
	}
	entry := s.audit(caller, EntityKey, key.ID, ActionCreate, []Change{
		{Field: "name", New: key.Name}, {Field: "role", New: string(key.Role)},
	})
	if err := s.store.CreateKey(ctx, key, entry); err != nil {
		return APIKey{}, "", fmt.Errorf("store key: %w", err)
	}
	return key, secret, nil
}

// Keys lists every key, revoked ones too, newest first. It needs the admin role.
func (s *Service) Keys(ctx context.Context, caller Caller) ([]APIKey, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return nil, err
	}
	keys, err := s.store.Keys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return keys, nil
}

// RevokeKey stops a key from working from the next request on. Revoking a
// revoked key changes nothing. It needs the admin role and returns
// CodeNotFound for an unknown id.
func (s *Service) RevokeKey(ctx context.Context, caller Caller, id string) (APIKey, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return APIKey{}, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return APIKey{}, Errorf(CodeNotFound, "no key %q", id)
	}
	at := s.now().UTC().Truncate(time.Microsecond)
	entry := s.audit(caller, EntityKey, id, ActionRevoke, []Change{{Field: "revoked_at", New: at}})
	key, err := s.store.RevokeKey(ctx, id, at, entry)
	if err != nil {
		return APIKey{}, fmt.Errorf("revoke key %s: %w", id, err)
	}
	return key, nil
}

// Authenticate returns the caller a secret stands for. An unknown, malformed
// or revoked secret is CodeUnauthorized, whatever route it was sent to: a
// caller who sends a key means to use it, and silently treating them as
// anonymous would hide the mistake.
func (s *Service) Authenticate(ctx context.Context, secret string) (Caller, error) {
	if !strings.HasPrefix(secret, KeySecretPrefix) || !utf8.ValidString(secret) || len(secret) > 200 {
		return Caller{}, Errorf(CodeUnauthorized, "the API key is not valid")
	}
	key, err := s.store.KeyByHash(ctx, hashSecret(secret))
	if ErrorCode(err) == CodeNotFound {
		return Caller{}, Errorf(CodeUnauthorized, "the API key is not valid")
	}
	if err != nil {
		return Caller{}, fmt.Errorf("look up key: %w", err)
	}
	if key.RevokedAt != nil {
		return Caller{}, Errorf(CodeUnauthorized, "the API key was revoked")
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if key.LastUsedAt == nil || now.Sub(*key.LastUsedAt) >= lastUsedResolution {
		// The time of last use is a hint: a full disk must not lock every
		// key out of reading.
		if err := s.store.TouchKey(ctx, key.ID, now); err != nil && ErrorCode(err) != CodeStorageFull {
			return Caller{}, fmt.Errorf("record key use: %w", err)
		}
	}
	return Caller{KeyID: key.ID, Name: key.Name, Role: key.Role}, nil
}
