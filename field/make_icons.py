"""Writes field/static/icon-192.png and icon-512.png from the shape of icon.svg (a house on the accent colour), with
no image library: Chromium wants PNG icons to offer installing the app. Run after changing the icon."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ACCENT, WHITE = (0x7A, 0x01, 0x77), (0xFF, 0xFF, 0xFF)
HOUSE = [
    (256, 96),
    (88, 240),
    (136, 240),
    (136, 416),
    (232, 416),
    (232, 312),
    (280, 312),
    (280, 416),
    (376, 416),
    (376, 240),
    (424, 240),
]


def inside(x: float, y: float, poly: list[tuple[int, int]]) -> bool:
    hit = False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            hit = not hit
    return hit


def png(size: int) -> bytes:
    scale = 512 / size
    rows = []
    for j in range(size):
        row = bytearray(b"\0")
        for i in range(size):
            x, y = (i + 0.5) * scale, (j + 0.5) * scale
            row += bytes(WHITE if inside(x, y, HOUSE) else ACCENT)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    for size in (192, 512):
        (Path(__file__).resolve().parent / "static" / f"icon-{size}.png").write_bytes(png(size))
