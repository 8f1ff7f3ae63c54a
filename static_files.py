"""Static files sent compressed once, not on every request: a brotli and a gzip copy of each file are written the
first time it is asked for (atomically, under a lock, into a cache folder keyed by the file's size and modification
time), then sent as they are to every browser that accepts them, with a validator and a cache lifetime.

Flask-Compress would squeeze the same 1.4 MB of plotly.js again for every cold visitor; this does it once.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import brotli
from flask import Flask, Response, request, send_file
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as BaseResponse

import config

if TYPE_CHECKING:
    from geo.shapes import ShapeRows

_lock = threading.Lock()
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def _cache_dir() -> Path:
    return config.INSTANCE_DIR / "compressed"


def kept_copy(path: Path, encoding: str) -> Path:
    """Where the file's copy compressed with `encoding` is kept (whether or not it has been written yet)."""
    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return _cache_dir() / f"{path.name}.{key}{dict(ENCODINGS)[encoding]}"


def precompress(paths: Iterable[Path | None]) -> int:
    """Write the compressed copies of files ahead of their first visitor: brotli 11 of the national tambon layer
    (1.7 MB) takes seconds, which the first visitor of a fresh deployment waited (3.2 s measured). The number of
    files done."""
    done = 0
    for path in paths:
        if path is not None:
            for encoding, _ in ENCODINGS:
                compressed_copy(path, encoding)
            done += 1
    return done


def shapes_ahead(read: ShapeRows) -> int:
    """The country's big shape files (geo.shapes.PREBUILT) and their compressed copies, written at a boundary import
    or a demo build, before any visitor asks for them; `read` gives a file's rows (data_access.areas.display_shapes)."""
    from geo import shapes

    shapes.prebuild(shapes.PREBUILT, read)
    return precompress(shapes.path_for(name, read) for name in shapes.PREBUILT)


def compressed_copy(path: Path, encoding: str) -> Path:
    """The file compressed with `encoding` (br or gzip), written once beside its siblings in the cache folder."""
    target = kept_copy(path, encoding)
    if target.exists():
        return target
    with _lock:  # parallel first requests of this process compress once; the others wait for the file
        if not target.exists():
            data = path.read_bytes()
            packed = brotli.compress(data, quality=11) if encoding == "br" else gzip.compress(data, compresslevel=9)
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, packed)
    return target


def _write_atomically(target: Path, packed: bytes) -> None:
    """Each writer its own temporary file, renamed into place: the lock above is one process's, and gunicorn's
    workers compressing the same file at once shared one `.tmp` name, so the second rename found it gone (a 500 under
    Locust, bench/RESULTS.md). Both copies are the same bytes; whichever rename lands last is the one kept."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(packed)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def accepted(header: str) -> str | None:
    """The best encoding the browser accepts of those kept (brotli before gzip)."""
    offered = {part.split(";")[0].strip().lower() for part in header.split(",")}
    return next((name for name, _ in ENCODINGS if name in offered), None)


def send(path: Path, mimetype: str, max_age: int) -> Response:
    """The file, compressed as the browser accepts, with an ETag and a cache lifetime; 304 when unchanged."""
    encoding = accepted(request.headers.get("Accept-Encoding", ""))
    source = compressed_copy(path, encoding) if encoding else path
    response = send_file(source, mimetype=mimetype, max_age=max_age, conditional=True, etag=True)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    # each encoding is its own file, so its own ETag: a 304 never hands gzip to a browser that was sent brotli
    response.headers["Vary"] = "Accept-Encoding"
    response.direct_passthrough = True  # already compressed: Flask-Compress must not touch it again
    return response


# Dash's own files (its component suites, the assets folder, the favicon) are the same bytes for a release: each is
# compressed once per encoding at the best ratio and kept on disk under its content's hash, shared by every worker
# and every restart of the release (brotli 11 of a 60 KB file takes a second or more: a first visitor after each
# worker's start had waited 1-5 s a file), and in the process's memory once read.
COMPRESSIBLE = {"application/javascript", "text/javascript", "text/css", "application/json", "image/x-icon", "text/plain"}
_memory: dict[tuple[str, str], bytes] = {}


def packed(data: bytes, encoding: str) -> bytes:
    """`data` compressed with `encoding`: read from the disk copy of these bytes, else compressed and written there
    (atomically: parallel workers write the same bytes, the last rename wins)."""
    digest = hashlib.sha256(data).hexdigest()[:24]
    target = _cache_dir() / "content" / f"{digest}{dict(ENCODINGS)[encoding]}"
    try:
        return target.read_bytes()
    except FileNotFoundError:
        pass
    body = brotli.compress(data, quality=11) if encoding == "br" else gzip.compress(data, compresslevel=9)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(body)
    tmp.replace(target)
    return body


def compress_once(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Wrap a view that serves unchanging files: its answers go out compressed at brotli 11 (or gzip 9), computed
    once per content and encoding (packed), instead of at Flask-Compress's fast, per-request level."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        response = view(*args, **kwargs)
        encoding = accepted(request.headers.get("Accept-Encoding", ""))
        if (
            not isinstance(response, BaseResponse)  # (Dash's file views all answer a Response)
            or encoding is None
            or response.status_code != 200
            or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSIBLE
        ):
            return response
        key = (request.full_path, encoding)
        response.direct_passthrough = False
        body = _memory.get(key)
        if body is None:
            body = packed(response.get_data(), encoding)
            with _lock:
                _memory[key] = body
        response.set_data(body)
        response.headers["Content-Encoding"] = encoding
        response.headers["Vary"] = "Accept-Encoding"
        etag, weak = response.get_etag()
        if etag:  # the compressed bytes are another representation: so is their validator
            response.set_etag(f"{etag}-{encoding}", weak=bool(weak))
        return response

    return wrapper


def warm(server: Flask, pages: Iterable[str] = ("/",)) -> int:
    """Compress, before the first visitor, every script and stylesheet the pages' index names, in each encoding
    (gunicorn.conf.py runs it in the preloaded app, before the workers fork: they start with it in memory).
    The number of files answered."""
    import re

    client = server.test_client()
    files: set[str] = set()
    for page in pages:
        answer = client.get(page)
        named = answer.get_data(as_text=True) + " " + answer.headers.get("Link", "")  # preloads: dcc's async chunks
        files.update(re.findall(r'(?:src="|href="|<)(/(?:_dash-component-suites|assets)/[^">]+)', named))
    for name in sorted(files):
        for encoding, _ in ENCODINGS:
            client.get(name, headers={"Accept-Encoding": encoding})
    return len(files)


def compress_dash_files(server: Flask) -> None:
    """Serve Dash's component suites, assets and favicon through compress_once."""
    for rule in server.url_map.iter_rules():
        if rule.rule.startswith(("/_dash-component-suites/", "/assets/", "/_favicon.ico")) and rule.endpoint != "plotly_bundle":
            view = cast(Callable[..., ResponseReturnValue], server.view_functions[rule.endpoint])  # Dash's are synchronous
            server.view_functions[rule.endpoint] = compress_once(view)


ASSETS = Path(__file__).resolve().parent / "assets"
# assets a page loads itself when it needs them, kept out of every page's index (app.create_app's assets_ignore):
# the script that draws the national tambon map on a canvas (6 KB) is of no use to the country's provinces
CANVAS_SCRIPT = "canvas-map.js"
LAZY_ASSETS = (CANVAS_SCRIPT,)


@functools.cache
def content_version(path: Path) -> str:
    """A file's content hash, for its address: a deployment's new copy is never mistaken for the old one a browser
    kept, so the address can be cached for a long time."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_url(name: str) -> str:
    """The address of a file of assets/ that a page loads itself, when it needs it (LAZY_ASSETS)."""
    return f"/assets/{name}?v={content_version(ASSETS / name)}"
