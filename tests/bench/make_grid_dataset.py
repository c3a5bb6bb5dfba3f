#!/usr/bin/env python3
"""Writes the datasets of the grid benchmark (tests/bench/grid.mjs).

Two Parquet files of ScaleEdit-12M's schema (the 12 columns of
tests/fixtures/make_fixtures.py), into a folder given on the command line
(default /tmp/gallery-bench):

  grid-10k.parquet     10,000 rows, small JPEGs (256 x 192, ~10 KB each): many rows
                       for the scrolling benchmark, quick to make (~200 MB).
  grid-2k-large.parquet  2,000 rows, photo-sized JPEGs (1000-2000 px wide, 200 KB to
                       1 MB each, ~0.4 MB on average): the memory benchmark (~1.6 GB).
                       Row groups of 100 rows, one image per data page and a page
                       index, so the gallery reads only the images it shows.

The images are smooth "photographic" scenes: colour gradients and soft shapes drawn
at a quarter of the size and scaled up, plus fine noise whose strength sets the JPEG
size. The edited image is the source with one shape added and its tone shifted.
Everything is seeded: the same inputs give the same files (for a given Pillow,
numpy and pyarrow).

Needs pyarrow, numpy and Pillow (`pip install numpy pillow`); about 1 minute for
the small file and 5-8 minutes for the large one on one core (`--jobs 2` halves it).

    python3 tests/bench/make_grid_dataset.py [DIR] [--only small|large] [--jobs N]
"""

import argparse
import io
import multiprocessing
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from make_fixtures import SCHEMA  # noqa: E402  ScaleEdit-12M's 12 columns

TEXT_COLUMNS = ["id", "edit_task", "edit_instruction"]

TASKS = [
    ("object_addition", "Add a {c} {o} next to the {p}."),
    ("object_removal", "Remove the {o} near the {p}."),
    ("color_change", "Turn the {o} {c}."),
    ("tone_adjustment", "Make the scene warmer, like late afternoon light around the {p}."),
    ("background_replacement", "Replace the background behind the {o} with a {c} {p}."),
    ("material_change", "Make the {o} look like it is made of {m}."),
    ("style_transfer", "Render the {p} as a {s}."),
    ("size_change", "Make the {o} twice as large."),
]
COLOURS = ["red", "bright yellow", "dark green", "sky blue", "orange", "purple", "white", "black"]
OBJECTS = ["hat", "bicycle", "umbrella", "vase", "lamp", "coffee cup", "sailboat", "bench"]
PLACES = ["lake", "window", "street", "table", "garden", "mountain road", "shop sign", "wall"]
MATERIALS = ["marble", "polished copper", "glass", "oak", "brushed steel"]
STYLES = ["watercolor painting", "pencil sketch", "oil painting", "pixel-art scene"]

NOISE_SIDE = 2048 + 64
_noise = None


def noise():
    """A fixed field of Gaussian noise (int16, sigma 8) that images take slices of."""
    global _noise
    if _noise is None:
        rng = np.random.default_rng(20240611)
        _noise = (rng.standard_normal((NOISE_SIDE, NOISE_SIDE, 3), dtype=np.float32) * 8).astype(np.int16)
    return _noise


def text_of(row):
    rng = np.random.default_rng([7, row])
    task, template = TASKS[row % len(TASKS)]
    pick = lambda xs: xs[int(rng.integers(len(xs)))]
    instruction = template.format(c=pick(COLOURS), o=pick(OBJECTS), p=pick(PLACES), m=pick(MATERIALS), s=pick(STYLES))
    scores = [int(v) for v in rng.integers(1, 4, 3)]
    return task, f"{instruction} (pair {row})", scores


def scene(rng, w, h):
    """A soft scene (gradient and shapes, blurred) at a quarter of w x h, as RGB Image."""
    sw, sh = max(8, w // 4), max(8, h // 4)
    y = np.linspace(0, 1, sh, dtype=np.float32)[:, None, None]
    x = np.linspace(0, 1, sw, dtype=np.float32)[None, :, None]
    c0, c1, c2 = rng.uniform(20, 235, (3, 3)).astype(np.float32)
    base = c0 + (c1 - c0) * y + (c2 - c0) * x * (1 - y)
    im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(5, 12))):
        x0, y0 = rng.uniform(-0.1, 1.0) * sw, rng.uniform(-0.1, 1.0) * sh
        s = rng.uniform(0.05, 0.4) * sw
        box = [x0, y0, x0 + s, y0 + s * rng.uniform(0.5, 1.5)]
        colour = tuple(int(v) for v in rng.uniform(0, 255, 3))
        (draw.ellipse if rng.random() < 0.6 else draw.rectangle)(box, fill=colour)
    return im.filter(ImageFilter.BoxBlur(max(1, sw // 150)))


def edit(rng, im):
    """The edit: one more shape and a shift of tone."""
    im = im.copy()
    sw, sh = im.size
    draw = ImageDraw.Draw(im)
    x0, y0, s = rng.uniform(0.1, 0.7) * sw, rng.uniform(0.1, 0.7) * sh, rng.uniform(0.1, 0.3) * sw
    draw.ellipse([x0, y0, x0 + s, y0 + s], fill=tuple(int(v) for v in rng.uniform(0, 255, 3)))
    shift = rng.uniform(-25, 25, 3).astype(np.int16)
    a = np.clip(np.asarray(im, dtype=np.int16) + shift, 0, 255).astype(np.uint8)
    return Image.fromarray(a)


def jpeg(small, w, h, amp, rng, quality):
    """`small` scaled up to w x h, with noise of sigma `amp`, as JPEG."""
    big = np.asarray(small.resize((w, h), Image.BILINEAR), dtype=np.int16)
    ox, oy = (int(v) for v in rng.integers(0, NOISE_SIDE - max(w, h) + 1, 2))
    grain = noise()[oy : oy + h, ox : ox + w] * np.int16(round(amp * 16))
    np.right_shift(grain, 7, out=grain)  # sigma 8 x amp x 16 / 128 = amp
    big += grain
    np.clip(big, 0, 255, out=big)
    out = io.BytesIO()
    Image.fromarray(big.astype(np.uint8)).save(out, "JPEG", quality=quality)
    return out.getvalue()


def small_row(row):
    rng = np.random.default_rng([1, row])
    w, h = 256, 192
    im = scene(rng, w * 2, h * 2)  # drawn at half size: more detail at 256 px
    src = jpeg(im, w, h, 4, rng, 85)
    dst = jpeg(edit(rng, im), w, h, 4, rng, 85)
    return row, src, dst, (w, h)


def large_row(row):
    rng = np.random.default_rng([2, row])
    w = int(rng.integers(1000, 2001)) // 16 * 16
    h = int(w * rng.uniform(0.62, 0.8)) // 16 * 16
    # Target size 200 KB to 1 MB, skewed small (mean ~400 KB); noise sets it: about
    # 0.013 + 0.0206 * amp bytes per pixel at quality 88 (measured).
    target = 200_000 + 800_000 * rng.random() ** 3
    amp = float(np.clip((target / (w * h) - 0.013) / 0.0206, 3, 40))
    im = scene(rng, w, h)
    src = jpeg(im, w, h, amp, rng, 88)
    dst = jpeg(edit(rng, im), w, h, amp, rng, 88)
    return row, src, dst, (w, h)


def batch(rows):
    out = {name: [] for name in SCHEMA.names}
    for row, src, dst, (w, h) in rows:
        task, instruction, scores = text_of(row)
        for name, value in zip(
            SCHEMA.names,
            [row, task, instruction, src, dst, w, h, w, h, *scores],
        ):
            out[name].append(value)
    return pa.table(out, schema=SCHEMA)


def write(path, n, make, row_group, page_size, batch_size, jobs):
    start = time.time()
    tmp = path + ".part"
    writer = pq.ParquetWriter(
        tmp,
        SCHEMA,
        use_dictionary=TEXT_COLUMNS[1:],
        write_page_index=True,
        data_page_size=page_size,
        write_batch_size=batch_size,
        compression="snappy",
    )
    sizes = []
    with multiprocessing.Pool(jobs) if jobs > 1 else _Serial() as pool:
        for first in range(0, n, row_group):
            rows = pool.map(make, range(first, min(n, first + row_group)))
            sizes += [len(r[1]) for r in rows] + [len(r[2]) for r in rows]
            writer.write_table(batch(rows), row_group_size=row_group)
            done = min(n, first + row_group)
            print(f"\r{os.path.basename(path)}: {done}/{n} rows, {time.time() - start:.0f} s", end="", file=sys.stderr)
    writer.close()
    os.replace(tmp, path)
    sizes.sort()
    took = time.time() - start
    print(file=sys.stderr)
    print(
        f"{path}: {n} rows, {os.path.getsize(path) / 1e6:.0f} MB; images "
        f"{sizes[0] / 1e3:.0f} / {sizes[len(sizes) // 2] / 1e3:.0f} / {sizes[-1] / 1e3:.0f} KB "
        f"(min / median / max), mean {sum(sizes) / len(sizes) / 1e3:.0f} KB; {took:.0f} s"
    )


class _Serial:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, f, xs):
        return [f(x) for x in xs]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", default="/tmp/gallery-bench")
    ap.add_argument("--only", choices=["small", "large"])
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    if args.only in (None, "small"):
        # Pages of ~8 images of ~10 KB per image column.
        write(os.path.join(args.dir, "grid-10k.parquet"), 10_000, small_row, 1000, 64 * 1024, 8, args.jobs)
    if args.only in (None, "large"):
        # A page is closed once it holds 64 KB, checked after every value: each image
        # (200 KB or more) is a page of its own.
        write(os.path.join(args.dir, "grid-2k-large.parquet"), 2_000, large_row, 100, 64 * 1024, 1, args.jobs)


if __name__ == "__main__":
    main()
