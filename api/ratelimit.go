package api

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// RateLimits are the request rates the server allows each caller. They are
// kept in the memory of one process: behind a load balancer, each API
// process allows each caller this much.
type RateLimits struct {
	// Anonymous is the rate of each client address that sends no key: an
	// IPv4 address, or an IPv6 /64 prefix (what one IPv6 subscriber is
	// usually given). Requests with a key that fails to authenticate count
	// here too. Zero: no limit.
	Anonymous Rate
	// Key is the rate of each API key, whichever address it comes from.
	// Zero: no limit.
	Key Rate
	// TrustedProxies are the address ranges of the proxies in front of the
	// server. Only when the direct peer is in one of them is the client
	// taken from X-Forwarded-For: the rightmost address that is not in one
	// of them. Empty: the peer is the client and X-Forwarded-For is ignored.
	// X-Forwarded-Proto is believed from them alone too (forwardedProto).
	TrustedProxies []netip.Prefix
	// MaxClients bounds the callers whose buckets are kept, for each of
	// anonymous callers and keys (default 65,536: some 10 MB): beyond it,
	// the least recently seen caller's bucket is forgotten.
	MaxClients int
}

// Rate is a token bucket (golang.org/x/time/rate): PerSecond requests a
// second on average, and up to Burst at once after a quiet spell.
type Rate struct {
	// PerSecond is the average rate; 0 means no limit, and below 1 it is
	// one request every 1/PerSecond seconds.
	PerSecond float64
	// Burst is how many requests may come at once; at least 1 with a rate.
	Burst int
}

// defaultMaxClients is RateLimits.MaxClients when it is zero.
const defaultMaxClients = 1 << 16

// errRateLimit is a RateLimits that cannot be applied.
var errRateLimit = errors.New("invalid rate limit")

func (r Rate) check(name string) error {
	switch {
	case math.IsNaN(r.PerSecond) || math.IsInf(r.PerSecond, 0) || r.PerSecond < 0:
		return fmt.Errorf("%w: %s: the rate must be a finite number of requests a second, 0 or more, not %v", errRateLimit, name, r.PerSecond)
	case r.PerSecond > 0 && r.Burst < 1:
		return fmt.Errorf("%w: %s: the burst must be at least 1, not %d", errRateLimit, name, r.Burst)
	}
	return nil
}

// rateLimiter applies RateLimits to requests.
type rateLimiter struct {
	anonymous *buckets // nil: no limit
	key       *buckets // nil: no limit
}

func newRateLimiter(l RateLimits) (*rateLimiter, error) {
	if err := errors.Join(l.Anonymous.check("anonymous"), l.Key.check("key")); err != nil {
		return nil, err
	}
	if l.MaxClients < 0 {
		return nil, fmt.Errorf("%w: at most %d clients", errRateLimit, l.MaxClients)
	}
	size := l.MaxClients
	if size == 0 {
		size = defaultMaxClients
	}
	rl := &rateLimiter{}
	var err error
	if l.Anonymous.PerSecond > 0 {
		if rl.anonymous, err = newBuckets(l.Anonymous, size); err != nil {
			return nil, err
		}
	}
	if l.Key.PerSecond > 0 {
		if rl.key, err = newBuckets(l.Key, size); err != nil {
			return nil, err
		}
	}
	return rl, nil
}

// ipExtractor returns how the server tells a request's client address
// (echo.Context.RealIP, which logs and rate limits use): the peer, or with
// trusted proxies the rightmost address in X-Forwarded-For that is not one
// of theirs. Only the configured ranges are trusted, not Echo's default of
// every private and loopback address.
func ipExtractor(proxies []netip.Prefix) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		p = p.Masked()
		trust = append(trust, echo.TrustIPRange(&net.IPNet{
			IP:   p.Addr().AsSlice(),
			Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
		}))
	}
	return echo.ExtractIPFromXFFHeader(trust...)
}

// byAddress limits the requests of routes that take no key (the pages, the
// docs and the spec) by client address.
func (rl *rateLimiter) byAddress(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := rl.allowAddress(c); err != nil {
			return err
		}
		return next(c)
	}
}

// allowAddress takes a request from the bucket of the client's address;
// when it is empty the error is a 429 with Retry-After.
func (rl *rateLimiter) allowAddress(c echo.Context) error {
	if rl.anonymous == nil {
		return nil
	}
	return tooMany(c, rl.anonymous.take(clientOf(c.RealIP()), time.Now()))
}

// allowKey takes a request from the bucket of the API key id.
func (rl *rateLimiter) allowKey(c echo.Context, id string) error {
	if rl.key == nil {
		return nil
	}
	return tooMany(c, rl.key.take(id, time.Now()))
}

// tooMany is nil when wait is zero, else a 429 Too Many Requests (RFC 6585
// §4) whose Retry-After says in whole seconds, rounded up, when the next
// request will be let through (RFC 9110 §10.2.3).
func tooMany(c echo.Context, wait time.Duration) error {
	if wait <= 0 {
		return nil
	}
	secs := int64(math.Ceil(wait.Seconds()))
	c.Response().Header().Set(echo.HeaderRetryAfter, strconv.FormatInt(secs, 10))
	return &echo.HTTPError{Code: http.StatusTooManyRequests,
		Message: fmt.Sprintf("too many requests: retry after %d s", secs)}
}

// clientOf is the bucket name of a client address: the address itself for
// IPv4, its /64 prefix for IPv6, as is.
func clientOf(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, err := addr.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// buckets are the token buckets of callers, bounded in number: the least
// recently seen caller's is forgotten first. A bucket left alone for
// Burst/PerSecond seconds is full again, as a new one is, so forgetting an
// idle caller changes nothing for it.
type buckets struct {
	rate  Rate
	cache *lru.Cache[string, *rate.Limiter]
}

func newBuckets(r Rate, size int) (*buckets, error) {
	cache, err := lru.New[string, *rate.Limiter](size)
	if err != nil {
		return nil, fmt.Errorf("rate limit buckets: %w", err)
	}
	return &buckets{rate: r, cache: cache}, nil
}

// take takes one request from caller's bucket at now. It returns zero when
// the request may go, else how long until the bucket lets one through;
// such a request takes nothing.
func (b *buckets) take(caller string, now time.Time) time.Duration {
	lim, ok := b.cache.Get(caller)
	if !ok {
		lim = rate.NewLimiter(rate.Limit(b.rate.PerSecond), b.rate.Burst)
		if prev, found, _ := b.cache.PeekOrAdd(caller, lim); found {
			lim = prev // another request added it meanwhile
		}
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Duration(math.MaxInt64)
	}
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return wait
	}
	return 0
}

// len is how many callers have a bucket.
func (b *buckets) len() int {
	if b == nil {
		return 0
	}
	return b.cache.Len()
}
