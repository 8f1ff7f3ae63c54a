"""No person's data in the application log, whatever raises.

SQLAlchemy engines are created with hide_parameters (data_access.db), so a failed statement is logged
without its values. Some values still reach a message through the database's own words (PostgreSQL's
DETAIL of a unique violation quotes the key: a citizen ID). Every log record is therefore made through a
factory that masks anything shaped like a 13-digit citizen ID, in the message and in the formatted
traceback, before any handler sees it: handlers added later (a WSGI server's, a test's) are covered too.
"""

from __future__ import annotations

import logging
import re
import traceback

_ID = re.compile(r"(?<![0-9])([0-9])[- ]?([0-9]{4})[- ]?([0-9]{5})[- ]?([0-9]{2})[- ]?([0-9])(?![0-9])")
_installed = False


def redact(text: str) -> str:
    return _ID.sub(lambda m: f"{m.group(1)}-{m.group(2)}-xxxxx-xx-x", text)


def install() -> None:
    """Idempotent: wrap the current record factory once per process."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed log call must still be logged
            message = str(record.msg)
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
