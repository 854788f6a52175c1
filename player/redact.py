"""Credential redaction. URLs are untrusted and often carry secrets; every string
that leaves the engine (logs, events, reports, titles) passes through here."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["RedactingFilter", "install_log_redaction", "redact", "redact_url"]

# Query keys whose values are bearer secrets in the streaming world (signed CDN
# URLs, camera APIs, token-auth HLS).
_SECRET_KEYS = re.compile(
    r"(?i)^(token|access_token|auth|authorization|key|api_key|apikey|sig|signature|"
    r"password|passwd|pwd|pass|secret|session|sessionid|hdnts|hdnea|policy|"
    r"x-amz-signature|x-amz-credential|x-amz-security-token|expires_token|jwt)$"
)
# scheme://user[:password]@ anywhere inside free text (error messages quote URLs).
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<userinfo>[^/\s@'\"]+)@")
_QUERY_SECRET = re.compile(
    r"(?P<key>[?&;](?:token|access_token|auth|key|api_key|apikey|sig|signature|password|"
    r"passwd|pwd|pass|secret|session|sessionid|hdnts|hdnea|policy|x-amz-signature|"
    r"x-amz-credential|x-amz-security-token|jwt)=)(?P<value>[^&#\s'\"]+)",
    re.IGNORECASE,
)
MASK = "***"


def redact_url(url: str) -> str:
    """The URL with user info and secret query values masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if _SECRET_KEYS.match(k) else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(text: str) -> str:
    """Free text (an exception message, a log line) with any credentials masked."""
    text = _USERINFO.sub(lambda m: m.group("scheme") + MASK + "@", text)
    return _QUERY_SECRET.sub(lambda m: m.group("key") + MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message so no handler ever sees a credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not kill logging
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of ``logger`` (root by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
