package directory

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// WebhookEndpoint is a URL that admins registered for a partner: the
// change events of EventTypes (all when empty) are posted to it, signed
// with Secret as Standard Webhooks 1.0 specifies.
type WebhookEndpoint struct {
	ID          string
	URL         string
	Description string
	EventTypes  []EventType
	// Secret is "whsec_" and the base64 of the signing key. It is shown
	// once, when the endpoint is created; the store keeps it because every
	// message is signed with it.
	Secret    string
	CreatedAt time.Time
	// FailingSince is the first failed attempt since the last delivered
	// message, nil while deliveries succeed.
	FailingSince *time.Time
	// DisabledAt is set when the endpoint answered 410 Gone or failed
	// for longer than deliveries are retried; nothing is sent to it then.
	DisabledAt     *time.Time
	DisabledReason string
}

// EventWebhookTest is the type of the message that "send a test event"
// sends; it reports no change.
const EventWebhookTest EventType = "webhook.test"

// DeliveryStatus is where a message to an endpoint stands.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"   // not sent yet, or to be retried
	DeliveryDelivered DeliveryStatus = "delivered" // the endpoint answered 2xx
	DeliveryFailed    DeliveryStatus = "failed"    // given up: 410, or retried for too long
)

// Delivery is one message to one endpoint: a change event (or a test
// event, Seq 0), with the outcome of its attempts. Its ID is the message's
// webhook-id, the same on every attempt, so receivers drop repeats by it.
type Delivery struct {
	ID            string
	EndpointID    string
	Event         ChangeEvent
	Status        DeliveryStatus
	Attempts      int
	NextAttemptAt time.Time
	LastAttemptAt *time.Time
	// LastResponse is the HTTP status of the last attempt, 0 when it got
	// none (a connection error or a timeout, which LastError describes).
	LastResponse int
	LastError    string
	DeliveredAt  *time.Time
	CreatedAt    time.Time

	// Endpoint is the endpoint it goes to, filled for the worker by
	// ClaimDeliveries.
	Endpoint *WebhookEndpoint
}

// DeliveryResult is the outcome of one attempt, for the store to record.
type DeliveryResult struct {
	DeliveryID string
	EndpointID string
	// Attempt is the attempt number the claim gave; a result whose claim
	// ran out and was claimed again is not recorded twice.
	Attempt       int
	At            time.Time
	Status        DeliveryStatus
	NextAttemptAt time.Time // when Status is DeliveryPending
	Response      int
	Error         string
	// Disable, when not empty, disables the endpoint with this reason; the
	// endpoint's other pending deliveries fail with it.
	Disable string
}

// webhookSecretBytes is the length of a signing key; Standard Webhooks asks
// for 24 to 64 bytes.
const webhookSecretBytes = 32

// NewWebhookSecret returns a new signing secret: "whsec_" and the standard
// base64 of 32 random bytes, the form Standard Webhooks libraries read.
func NewWebhookSecret() (string, error) {
	key := make([]byte, webhookSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("generate webhook secret: %w", err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(key), nil
}

// PublicAddress reports whether addr is an address on the public internet:
// not private (RFC 1918, RFC 4193), loopback, link-local, unspecified,
// multicast, shared (RFC 6598) or benchmarking (RFC 2544) space.
func PublicAddress(addr netip.Addr) bool {
	addr = addr.Unmap()
	if v4, ok := nat64(addr); ok {
		return PublicAddress(v4)
	}
	if !addr.IsValid() || addr.IsPrivate() || addr.IsLoopback() || addr.IsLinkLocalUnicast() ||
		addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range nonPublicPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

var nonPublicPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network", RFC 791
	netip.MustParsePrefix("100.64.0.0/10"),  // shared address space, RFC 6598
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking, RFC 2544
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, RFC 1112
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use IPv4/IPv6 translation, RFC 8215
	netip.MustParsePrefix("::/96"),          // IPv4-compatible, deprecated by RFC 4291 section 2.5.5.1
}

// nat64Prefix is the well-known prefix of IPv4 addresses embedded in IPv6
// by NAT64 (RFC 6052 section 2.1): 64:ff9b::7f00:1 reaches 127.0.0.1.
var nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")

// nat64 returns the IPv4 address that addr reaches through NAT64, when it
// is in the well-known prefix.
func nat64(addr netip.Addr) (netip.Addr, bool) {
	if !nat64Prefix.Contains(addr) {
		return netip.Addr{}, false
	}
	b := addr.As16()
	return netip.AddrFrom4([4]byte(b[12:])), true
}

// TargetAllowed reports whether a webhook may be sent to addr: a public
// address, or one inside a prefix of allow (the server's configuration,
// such as 127.0.0.1/32 for tests).
func TargetAllowed(addr netip.Addr, allow []netip.Prefix) bool {
	addr = addr.Unmap()
	if PublicAddress(addr) {
		return true
	}
	v4, isNAT64 := nat64(addr)
	for _, p := range allow {
		if p.Contains(addr) || isNAT64 && p.Contains(v4) {
			return true
		}
	}
	return false
}

// checkWebhookURL checks an endpoint's URL: absolute http or https,
// without credentials or a fragment, and not naming a private, loopback or
// link-local address (a literal one, or localhost) unless allowed. Names
// are checked again, as they resolve, when a message is sent.
func checkWebhookURL(fe *fieldErrors, v string, allow []netip.Prefix) {
	u, err := url.Parse(v)
	switch {
	case v == "":
		fe.add("url", "is required")
	case len(v) > maxURLLength:
		fe.add("url", "must be at most %d characters", maxURLLength)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "":
		fe.add("url", "must be an absolute http or https URL")
	case u.User != nil || u.Fragment != "":
		fe.add("url", "must not have credentials or a fragment; the signature authenticates the sender")
	case !validPort(u.Port()):
		fe.add("url", "has an invalid port: it must be a number from 1 to 65535")
	case numericHost(u.Hostname()):
		fe.add("url", "names an IPv4 address in a form other than dotted-quad decimal (such as 127.1, 2130706433 or 0x7f.1); write it as four decimal numbers, like 192.0.2.1")
	default:
		host := strings.ToLower(u.Hostname())
		addr, err := netip.ParseAddr(host)
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			addr, err = netip.MustParseAddr("127.0.0.1"), nil
		}
		if err == nil && !TargetAllowed(addr, allow) {
			fe.add("url", "names a private, loopback or link-local address, which this server does not send to")
		}
	}
}

// validPort reports whether port, a URL's port without the colon, is empty
// or a decimal number from 1 to 65535 (RFC 3986 section 3.2.3 allows any
// digits; TCP has 16 bits and no port 0).
func validPort(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return err == nil && n > 0
}

// numericHost reports whether host, not an address in canonical form,
// would still be read as an IPv4 address by a URL parser: one whose last
// label is a decimal number or 0x and hexadecimal digits (the WHATWG URL
// Standard's "ends in a number", section 3.5), such as 127.1, 2130706433,
// 0x7f.1, 0177.0.0.1 or 127.0.0.1. with a trailing dot. Libraries differ
// on what those forms mean, so they are refused rather than guessed at.
func numericHost(host string) bool {
	if strings.Contains(host, ":") {
		return false // IPv6, which netip reads
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return false
	}
	labels := strings.Split(host, ".")
	if len(labels) > 1 && labels[len(labels)-1] == "" {
		labels = labels[:len(labels)-1]
	}
	last := strings.ToLower(labels[len(labels)-1])
	if last == "" {
		return false
	}
	if hex, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}
