// Package webhook delivers the directory's change events to the endpoints
// admins registered for partners: messages signed as Standard Webhooks 1.0
// specifies (https://www.standardwebhooks.com/, spec/standard-webhooks.md),
// sent by a worker that claims due deliveries from the outbox, retries
// with exponential back-off and jitter for about three days, honours
// Retry-After, disables an endpoint that answers 410 Gone or keeps failing,
// and never connects to a private, loopback or link-local address unless
// told to.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed message (Standard Webhooks 1.0, "Signature
// scheme").
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// secretPrefix starts every signing secret (directory.NewWebhookSecret
// makes them), as Standard Webhooks recommends.
const secretPrefix = "whsec_"

// ErrSecret is the error of a secret that is not whsec_ and base64.
var ErrSecret = errors.New("webhook secret must be whsec_ followed by standard base64")

// Headers returns the three headers that sign a message: webhook-id is
// id, webhook-timestamp the Unix time of at in seconds, and
// webhook-signature "v1," followed by the standard base64 of the
// HMAC-SHA256, keyed with the secret's decoded bytes, of
// "<id>.<timestamp>.<body>". It returns ErrSecret for a malformed secret.
func Headers(secret, id string, at time.Time, body []byte) (map[string]string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || !strings.HasPrefix(secret, secretPrefix) || len(key) == 0 {
		return nil, ErrSecret
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	return map[string]string{
		HeaderID:        id,
		HeaderTimestamp: ts,
		HeaderSignature: "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)),
	}, nil
}
