package sqlstore

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
)

// sessionRow is a row of web_sessions.
type sessionRow struct {
	Hash      string `gorm:"primaryKey"`
	KeyID     string
	CreatedAt string
	ExpiresAt string
}

func (sessionRow) TableName() string { return "web_sessions" }

// CreateSession implements directory.SessionStore.
func (db *DB) CreateSession(ctx context.Context, s directory.Session) error {
	return db.write(ctx, "create session", func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM web_sessions WHERE expires_at <= ?", formatTime(s.CreatedAt)).Error; err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		if err := tx.Exec("INSERT INTO web_sessions (hash, key_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
			s.Hash, s.KeyID, formatTime(s.CreatedAt), formatTime(s.ExpiresAt)).Error; err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return nil
	})
}

// SessionKey implements directory.SessionStore.
func (db *DB) SessionKey(ctx context.Context, hash string) (directory.Session, directory.APIKey, error) {
	var rows []sessionRow
	if err := db.gorm.WithContext(ctx).Where("hash = ?", hash).Limit(1).Find(&rows).Error; err != nil {
		return directory.Session{}, directory.APIKey{}, fmt.Errorf("find session: %w", err)
	}
	if len(rows) == 0 {
		return directory.Session{}, directory.APIKey{}, directory.Errorf(directory.CodeNotFound, "no such session")
	}
	var keys []keyRow
	if err := db.gorm.WithContext(ctx).Where("id = ?", rows[0].KeyID).Limit(1).Find(&keys).Error; err != nil {
		return directory.Session{}, directory.APIKey{}, fmt.Errorf("find the session's key: %w", err)
	}
	if len(keys) == 0 {
		return directory.Session{}, directory.APIKey{}, directory.Errorf(directory.CodeNotFound, "no such session")
	}
	key, err := keys[0].toDomain()
	if err != nil {
		return directory.Session{}, directory.APIKey{}, err
	}
	s := directory.Session{Hash: hash, KeyID: key.ID}
	if s.CreatedAt, err = parseTime(rows[0].CreatedAt); err != nil {
		return directory.Session{}, directory.APIKey{}, fmt.Errorf("session created_at: %w", err)
	}
	if s.ExpiresAt, err = parseTime(rows[0].ExpiresAt); err != nil {
		return directory.Session{}, directory.APIKey{}, fmt.Errorf("session expires_at: %w", err)
	}
	return s, key, nil
}

// DeleteSession implements directory.SessionStore.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	return db.write(ctx, "delete session", func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM web_sessions WHERE hash = ?", hash).Error; err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}
