from __future__ import annotations

import logging

import pytest

from player.redact import RedactingFilter, redact, redact_url

SECRET = "s3cr3t-CANARY"


@pytest.mark.parametrize(
    "url",
    [
        f"rtsp://alice:{SECRET}@10.0.0.1:554/live",
        f"http://bob:{SECRET}@example.com/a.m3u8",
        f"https://cdn.example.com/v.m3u8?token={SECRET}&x=1",
        f"https://cdn.example.com/v.m3u8?x=1&sig={SECRET}",
        f"rtmp://u:{SECRET}@host/app/stream",
    ],
)
def test_secrets_are_masked(url: str) -> None:
    assert SECRET not in redact_url(url)
    assert SECRET not in redact(f"Connection refused: '{url}'")


def test_harmless_parts_are_kept() -> None:
    assert redact_url("https://example.com/a/b.m3u8?quality=hd") == (
        "https://example.com/a/b.m3u8?quality=hd"
    )
    assert redact_url("rtsp://u:p@cam.local:8554/x").startswith("rtsp://***@cam.local:8554/x")


def test_log_filter_redacts_args_and_exceptions() -> None:
    logger = logging.getLogger("heureum.test.redact")
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect()
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    try:
        logger.error("opening %s", f"rtsp://a:{SECRET}@h/x")
        try:
            raise OSError(f"refused rtsp://a:{SECRET}@h/x")
        except OSError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert records
    for record in records:
        assert SECRET not in record.getMessage()
        assert SECRET not in (record.exc_text or "")
