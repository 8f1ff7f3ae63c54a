"""No person's data in the application log, and no line in it that a request wrote, whatever raises.

SQLAlchemy engines are created with hide_parameters (data_access.db), so a failed statement is logged
without its values. Some values still reach a message through the database's own words (PostgreSQL's
DETAIL of a unique violation quotes the key: a citizen ID). Every log record is therefore made through a
factory that masks anything shaped like a citizen ID, in the message and in the formatted
traceback, before any handler sees it: handlers added later (a WSGI server's, a test's) are covered too.

The same factory escapes control characters (a newline, a carriage return, ESC, ...) in every message and in
every exception's own words: a path with `%0a` in it, logged by gunicorn's access log or quoted by an error,
stays on its one line as `\\x0a` instead of writing a forged line (or a terminal escape) into the log.
gunicorn.conf.py installs it in the server's own process too.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from types import TracebackType
from typing import Any

_ID = re.compile(r"(?<![0-9])([0-9])[- ]?([0-9]{4})[- ]?([0-9]{5})[- ]?([0-9]{2})[- ]?([0-9])(?![0-9])")
# C0 controls, DEL, C1 controls (NEL among them) and Unicode's own line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# the colours werkzeug's development server puts around its request lines (it escapes the request's own
# control characters before adding them): dropped rather than shown as escapes
_WERKZEUG_STYLE = re.compile("\x1b\\[[0-9;]*m")
_installed = False


def redact(text: str) -> str:
    return _ID.sub(lambda m: f"{m.group(1)}-{m.group(2)}-xxxxx-xx-x", text)


def escape_controls(text: str) -> str:
    """One line whatever the text holds: each control character written as its escape (`\\x0a`, `\\u2028`)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def _traceback_lines(te: traceback.TracebackException) -> Iterator[str]:
    """A traceback as Python prints it, except that each exception's own words (which may quote a request) are
    escaped; the frames (file names and source lines) are the program's and keep their lines."""
    if te.__cause__ is not None:
        yield from _traceback_lines(te.__cause__)
        yield "\nThe above exception was the direct cause of the following exception:\n\n"
    elif te.__context__ is not None and not te.__suppress_context__:
        yield from _traceback_lines(te.__context__)
        yield "\nDuring handling of the above exception, another exception occurred:\n\n"
    if te.stack:
        yield "Traceback (most recent call last):\n"
        yield from te.stack.format()
    yield escape_controls("".join(te.format_exception_only()).rstrip("\n")) + "\n"
    for sub in te.exceptions or ():  # an ExceptionGroup's members
        yield from _traceback_lines(sub)


def format_exception(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    return "".join(_traceback_lines(traceback.TracebackException(*exc_info))).rstrip("\n")


def _message(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed log call must still be logged
        message = str(record.msg)
    if record.name == "werkzeug":
        message = _WERKZEUG_STYLE.sub("", message)
    return escape_controls(redact(message))


def install() -> None:
    """Idempotent: wrap the current record factory once per process."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        clean = _message(record)
        if clean != record.msg or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(format_exception(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
