#!/usr/bin/env python3
"""Writes the Parquet files of the range-engine benchmark (tests/bench/engine.mjs).

Every file has ScaleEdit-12M's schema (the one of tests/fixtures/make_fixtures.py) and
the same ROWS rows of images like the real ones: JPEGs (and every fifth edited image a
PNG) 1000-2000 px wide of 200 KB-1 MB each, made from seeded noise so the output is
deterministic for a given numpy/Pillow/pyarrow. Only the layout differs:

  a_page_per_image    one row group, page index, one image per page (plain images)
  b_groups_of_100     row groups of 100 rows, page index, pyarrow's pages (see below)
  c_pyarrow_default   pq.write_table(table, path): nothing set
  d_one_group         one row group, no page index, plain images in pages of ~1 MB

What pyarrow 26 does by default for a binary column: dictionary encoding is on, and the
writer only checks the dictionary size (dictionary_pagesize_limit, 1 MiB) and the page
size (data_page_size, 1 MiB) after each write batch of write_batch_size (1024) values.
So for fewer than 1024 rows per row group, every image of the column chunk lands in the
dictionary page (one page of hundreds of MB), and the data page holds only the indices;
with 100-row groups, each image column chunk is one page of 100 images. No page index is
written unless write_page_index=True. (a) and (d) set write_batch_size=1 so that the page
size is honoured value by value.

`--big` instead writes one file larger than 4 GiB (big/big.parquet: 100-row groups, page
index, one image per page, images repeated from a pool except those of the last rows, which
are unique) to check offsets past 4 GiB. Next to the files, layouts.json records each file's
rows and the SHA-256 of the images of the rows the benchmark checks.

    python3 tests/bench/make_layouts.py [--out DIR] [--rows N] [--big]

Needs pyarrow, numpy and Pillow (pip install pillow). Output defaults to
/tmp/gallery-bench-layouts.
"""

import argparse
import hashlib
import io
import json
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

# ScaleEdit-12M's schema, as the fixtures have it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from make_fixtures import SCHEMA  # noqa: E402

IMAGES = ["source_image", "edited_image"]
TEXT_AND_NUMBERS = [f.name for f in SCHEMA if f.name not in IMAGES]

TASKS = [
    ("object_addition", "Add a {} to the table by the window"),
    ("object_removal", "Remove the {} from the left side of the picture"),
    ("style_transfer", "Repaint the scene around the {} as a watercolour"),
    ("color_change", "Make the {} a deep shade of green"),
    ("background_replacement", "Put the {} in front of a snowy mountain"),
    ("tone_adjustment", "Give the photo of the {} a warm evening light"),
]
THINGS = ["red bicycle", "wooden chair", "ceramic vase", "old lamp", "striped cat", "paper kite", "brass clock"]

MIN_BYTES, MAX_BYTES = 200_000, 1_000_000


def picture(seed, width, height, fmt):
    """Encoded image bytes of a seeded picture: gradients, low-frequency blobs and noise,
    whose amplitude is adjusted until the file is 200 KB-1 MB."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    base = np.stack(
        [(x * 200 + y * 55 + seed * 37) % 256, (y * 180 + x * 40 + seed * 11) % 256, ((x + y) * 120 + seed * 53) % 256],
        -1,
    )
    small = rng.integers(0, 256, (height // 64 + 2, width // 64 + 2, 3), dtype=np.uint8)
    blobs = np.asarray(Image.fromarray(small).resize((width, height), Image.BILINEAR), dtype=np.float32)
    noise = rng.normal(0, 1, (height, width, 3)).astype(np.float32)
    amp = 10.0 if fmt == "JPEG" else 3.0
    for _ in range(12):
        a = np.clip(0.5 * base + 0.5 * blobs + amp * noise, 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        if fmt == "JPEG":
            Image.fromarray(a).save(buf, "JPEG", quality=88)
        else:
            Image.fromarray((a // 16) * 16).save(buf, "PNG", compress_level=6)
        data = buf.getvalue()
        if len(data) > MAX_BYTES:
            amp *= 0.7
        elif len(data) < MIN_BYTES:
            amp *= 1.4
        else:
            return data
    return data


def row(k, image_seed=None):
    """Row number k (its images from image_seed, default k)."""
    s = k if image_seed is None else image_seed
    sw = 1000 + (s * 373) % 1001
    sh = sw * (56 + (s * 7) % 45) // 100
    ew = 1000 + (s * 619) % 1001
    eh = ew * (56 + (s * 11) % 45) // 100
    if s % 5 == 4:  # edited PNGs stay near 1000 px so they fit under 1 MB
        ew, eh = 1000 + (s * 61) % 300, 700 + (s * 37) % 200
    return row_meta(k) | {
        "source_image": picture(2 * s, sw, sh, "JPEG"),
        "edited_image": picture(2 * s + 1, ew, eh, "PNG" if s % 5 == 4 else "JPEG"),
        "source_image_width": sw,
        "source_image_height": sh,
        "edited_image_width": ew,
        "edited_image_height": eh,
    }


def table(rows):
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def digest(rows, ks):
    return {
        str(k): {c: hashlib.sha256(rows[k][c]).hexdigest() for c in IMAGES} | {"instruction": rows[k]["edit_instruction"]}
        for k in ks
    }


# Options of pq.write_table per layout.
LAYOUTS = {
    "a_page_per_image": dict(
        use_dictionary=TEXT_AND_NUMBERS, write_page_index=True, write_batch_size=1, data_page_size=100_000
    ),
    "b_groups_of_100": dict(row_group_size=100, write_page_index=True),
    "c_pyarrow_default": dict(),
    "d_one_group": dict(use_dictionary=TEXT_AND_NUMBERS, write_batch_size=1),
}


def write_layouts(out, n):
    rows = [row(k) for k in range(n)]
    t = table(rows)
    manifest = {"rows": n, "pyarrow": pa.__version__, "files": {}}
    for name, options in LAYOUTS.items():
        path = os.path.join(out, f"{name}.parquet")
        pq.write_table(t, path, **options)
        manifest["files"][f"{name}.parquet"] = {
            "layout": name,
            "options": {k: v for k, v in options.items() if k != "use_dictionary"}
            | ({"use_dictionary": "all but the image columns"} if "use_dictionary" in options else {}),
            "rows": n,
            "bytes": os.path.getsize(path),
            "images": digest(rows, range(24)),
        }
        print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB")
    with open(os.path.join(out, "layouts.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def write_big(out, target=4.4e9):
    """More than 4 GiB: rows whose images repeat a pool of 40 rows' images, written 100
    rows at a time; the last 3 rows have images of their own."""
    pool = [row(k) for k in range(40)]
    per_row = sum(len(r["source_image"]) + len(r["edited_image"]) for r in pool) / len(pool)
    n = int(target / per_row) // 100 * 100 + 100
    path = os.path.join(out, "big.parquet")
    last = {}
    with pq.ParquetWriter(
        path, SCHEMA, use_dictionary=TEXT_AND_NUMBERS, write_page_index=True, write_batch_size=1, data_page_size=100_000
    ) as w:
        for start in range(0, n, 100):
            batch = []
            for k in range(start, start + 100):
                if k >= n - 3:
                    r = row(k, image_seed=100_000 + k)
                    last[k] = r
                else:
                    r = dict(pool[k % len(pool)])
                    r.update({key: v for key, v in row_meta(k).items()})
                batch.append(r)
            w.write_table(table(batch), row_group_size=100)
    size = os.path.getsize(path)
    manifest = {
        "rows": n,
        "bytes": size,
        "images": digest(last, sorted(last)),
    }
    with open(os.path.join(out, "big.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"{path}: {size / 2**30:.2f} GiB, {n} rows")


def row_meta(k):
    """The non-image cells of row k (as row(k) gives them), without encoding images."""
    task, pattern = TASKS[k % len(TASKS)]
    return {
        "id": 5_000_000 + 3 * k,
        "edit_task": task,
        "edit_instruction": f"{pattern.format(THINGS[k % len(THINGS)])} (row {k}).",
        "instruction_following_score": 1 + (k * 3) % 5,
        "editing_consistency_score": 1 + (k * 7 + 2) % 5,
        "generation_quality_score": 1 + (k * 11 + 4) % 5,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="/tmp/gallery-bench-layouts")
    p.add_argument("--rows", type=int, default=300)
    p.add_argument("--big", action="store_true", help="write big/big.parquet (> 4 GiB) only")
    a = p.parse_args()
    if a.big:
        out = os.path.join(a.out, "big")
        os.makedirs(out, exist_ok=True)
        write_big(out)
    else:
        os.makedirs(a.out, exist_ok=True)
        write_layouts(a.out, a.rows)


if __name__ == "__main__":
    main()
