"""Compressed copies of static files written by several server processes at once (gunicorn's workers answering the
same first requests): every process gets the file, none an error, and no temporary file is left behind."""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import brotli
import pytest

import config
import static_files

WRITERS = 8


def _compress(path: str, cache: str, start: Barrier, results: Queue[str]) -> None:
    config.INSTANCE_DIR = Path(cache)  # the child's copy of the module: the parent's temporary folder
    start.wait()
    try:
        static_files.compressed_copy(Path(path), "br")
        results.put("ok")
    except Exception as error:  # noqa: BLE001 - the test reports what a worker would have answered with a 500
        results.put(repr(error))


@pytest.mark.parametrize("round_no", range(3))
def test_workers_compressing_one_file_at_once_all_get_it(tmp_path: Path, round_no: int) -> None:
    source = tmp_path / f"shape-{round_no}.json"
    source.write_bytes(os.urandom(64) + b'{"type": "FeatureCollection", "features": []}' * 4000)
    cache = tmp_path / "instance"
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(WRITERS), context.Queue()
    workers = [context.Process(target=_compress, args=(str(source), str(cache), start, results)) for _ in range(WRITERS)]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert answers == ["ok"] * WRITERS
    config_dir = cache / "compressed"
    kept = sorted(p.name for p in config_dir.iterdir())
    assert len(kept) == 1 and kept[0].endswith(".br"), kept  # one copy, no temporary file left over
    assert brotli.decompress((config_dir / kept[0]).read_bytes()) == source.read_bytes()
