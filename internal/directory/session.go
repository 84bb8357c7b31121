package directory

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// Session is a partner's sign-in on the web pages. Its token lives only in
// the visitor's cookie; the store keeps the token's SHA-256, as it keeps
// keys, so a copy of the database does not sign anyone in. Sessions live in
// the database so that every server process behind a load balancer knows
// them, and a sign-out or a revoked key ends them everywhere at once.
type Session struct {
	Hash      string // hex SHA-256 of the token
	KeyID     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionLifetime is how long a sign-in lasts; then the partner enters
// their key again.
const SessionLifetime = 12 * time.Hour

// SessionStore keeps the web pages' sign-in sessions.
type SessionStore interface {
	// CreateSession stores a new session and deletes the sessions that
	// expired before it began.
	CreateSession(ctx context.Context, s Session) error
	// SessionKey returns the session with that token hash and the key it
	// was opened with; CodeNotFound when there is none.
	SessionKey(ctx context.Context, hash string) (Session, APIKey, error)
	// DeleteSession deletes the session with that hash, if any.
	DeleteSession(ctx context.Context, hash string) error
}

// SignIn opens a session for the holder of a key secret and returns the
// session's token, to be kept in a cookie. The secret is checked as
// Authenticate checks it (CodeUnauthorized when unknown or revoked); it is
// not kept. Any role may sign in; the session sees what a partner sees.
func (s *Service) SignIn(ctx context.Context, secret string) (string, Caller, error) {
	caller, err := s.Authenticate(ctx, secret)
	if err != nil {
		return "", Caller{}, err
	}
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return "", Caller{}, fmt.Errorf("generate session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(random)
	now := s.now().UTC().Truncate(time.Microsecond)
	sess := Session{Hash: hashSecret(token), KeyID: caller.KeyID, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", Caller{}, fmt.Errorf("store session: %w", err)
	}
	return token, sessionCaller(caller), nil
}

// SessionCaller returns who a session token stands for. A token that is
// unknown, expired or signed out, or whose key was revoked since, is
// CodeUnauthorized: the session ends with its key.
func (s *Service) SessionCaller(ctx context.Context, token string) (Caller, error) {
	if token == "" || len(token) > 100 {
		return Caller{}, Errorf(CodeUnauthorized, "no session")
	}
	sess, key, err := s.store.SessionKey(ctx, hashSecret(token))
	if ErrorCode(err) == CodeNotFound {
		return Caller{}, Errorf(CodeUnauthorized, "no session")
	}
	if err != nil {
		return Caller{}, fmt.Errorf("look up session: %w", err)
	}
	if key.RevokedAt != nil || !s.now().Before(sess.ExpiresAt) {
		return Caller{}, Errorf(CodeUnauthorized, "the session has ended")
	}
	return sessionCaller(Caller{KeyID: key.ID, Name: key.Name, Role: key.Role}), nil
}

// SignOut ends the session of a token at once, in every process.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	if err := s.store.DeleteSession(ctx, hashSecret(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// sessionCaller caps a session's rights at the partner role: the pages only
// read, so a stolen cookie can never write, whatever key opened it.
func sessionCaller(c Caller) Caller {
	if c.Role.Includes(RolePartner) {
		c.Role = RolePartner
	}
	return c
}
