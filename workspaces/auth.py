"""Who is calling the API: a signed-in user, or a workspace API token."""

import time

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling

from config.outage import cache_breaker
from workspaces.models import ApiToken
from workspaces.tokens import active_token


class TokenUser:
    """The request.user of a token-authenticated call: it acts only through its token."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, token: ApiToken):
        self.token = token
        self.username = f"token:{token.name}"

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Use the form 'Authorization: Bearer <token>'.")
            )
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = active_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return TokenUser(token), token

    def authenticate_header(self, request) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A workspace API token."}


class CallerRateThrottle(throttling.SimpleRateThrottle):
    """One budget per token or per user, counted in fixed windows (one INCR per request): DRF's
    sliding window reads and writes the list of every request's time in the window, which at
    20,000 a minute is the costliest part of a small request. Without a reachable cache,
    requests are let through: an outage of Redis must not stop ingestion."""

    scope = "caller"

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        key = f"{self.get_cache_key(request, view)}:{window}"
        count = cache_breaker.call(self.count, key)
        if count is None:
            return True
        self.wait_seconds = (window + 1) * self.duration - now
        return count <= self.num_requests

    def count(self, key: str) -> int:
        """The window's count after this request. On Redis in one round trip (the cache's add()
        and incr() took three); on another cache, through them."""
        cache = caches[DEFAULT_CACHE_ALIAS]  # self.cache is the proxy in front of it
        if not isinstance(cache, RedisCache):
            cache.add(key, 0, timeout=self.duration + 1)
            return cache.incr(key)
        key = cache.make_and_validate_key(key)
        redis = cache._cache.get_client(key, write=True)
        _created, count = (
            redis.pipeline(transaction=False)
            .set(key, 0, ex=self.duration + 1, nx=True)
            .incr(key)
            .execute()
        )
        return count

    def wait(self) -> float:
        return self.wait_seconds

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
