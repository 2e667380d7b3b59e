"""The HTML report as a browser draws it: headless Chromium renders a
report.html written by the real report code (a proved IR rewrite and a
bounded C one) to a PNG, which is decoded here with the standard library
only and checked: not blank, the diff's removed and added line colours
and both colours of the chart's bars present. Skipped when Chromium is
not installed (scripts/ensure-tools.sh installs Debian's `chromium`)."""
from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from veriopt import report
from veriopt.agents.orchestrator import Budget
from veriopt.report.chart import BAR_COLOURS
from veriopt.report.html_diff import DIFF_COLOURS

from agent_helpers import PARITY_LOOP, SRC, mixed_run

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file() and not shutil.which("chromium"),
                                reason="headless Chromium is not installed (Debian package "
                                       "`chromium`; scripts/ensure-tools.sh installs it)")


def png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels of an 8-bit, non-interlaced RGB or RGBA
    PNG (what Chromium writes), with the five scanline filters undone."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    prev = bytearray(stride)
    pixels = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        pixels += [tuple(line[x:x + 3]) for x in range(0, stride, bpp)]
        prev = line
    return width, height, pixels


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def count_near(counts: Counter, colour: str, tolerance: int = 3) -> int:
    target = rgb(colour)
    return sum(n for px, n in counts.items()
               if all(abs(p - t) <= tolerance for p, t in zip(px, target)))


@pytest.fixture(scope="module")
def screenshot(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("shot")
    data = report.build(mixed_run(), "kernel.c", "c", PARITY_LOOP, Budget())
    page = report.write(data, SRC, tmp / "rep")[2]
    png = tmp / "report.png"
    exe = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    done = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp / 'profile'}", f"--screenshot={png}", "--window-size=1280,1600",
         page.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    assert png.is_file(), done.stderr[-2000:]
    return png


def test_screenshot_shows_text_diff_colours_and_chart(screenshot):
    width, height, pixels = png_pixels(screenshot.read_bytes())
    assert (width, height) == (1280, 1600)
    counts = Counter(pixels)
    white = counts[(255, 255, 255)]
    assert 0.3 * len(pixels) < white < 0.97 * len(pixels), "blank or unstyled page"
    dark = sum(n for px, n in counts.items() if max(px) < 90)
    assert dark > 2000, "no text drawn"
    for name in ("del", "add", "del-gutter", "add-gutter"):
        assert count_near(counts, DIFF_COLOURS[name]) > 300, f"diff colour {name} missing"
    for kind, colour in BAR_COLOURS.items():
        assert count_near(counts, colour) > 400, f"chart bars ({kind}) missing"
