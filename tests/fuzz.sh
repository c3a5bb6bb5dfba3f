#!/bin/sh
# Fuzz the engine's decoders on demand (not part of `make test`): footer and metadata
# through the footer path and a read, page headers, page values and Snappy, and images.
# Each target (FUZZ_TARGETS, default all four) runs for FUZZ_SECONDS (default 60), seeded from tests/fixtures; a crash
# leaves its input in fuzz/artifacts/<target>/ — replay it as a plain test.
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
corpus() { mkdir -p "fuzz/corpus/$1"; }

corpus footer
cp tests/fixtures/*.parquet tests/fixtures/malformed/*.parquet fuzz/corpus/footer/ 2>/dev/null || true
rm -f fuzz/corpus/footer/pyarrow_many_images_per_page*.parquet  # over libFuzzer's input size

corpus page_header
corpus page_values
corpus imaging
# Page headers and bodies and image cells cut out of the fixtures by a small Python
# helper would be nicer; the footer corpus already holds them whole, and libFuzzer finds
# the headers from there. Seed the image target with the corpus's crafted images.
python3 - <<'PY'
import os, pyarrow.parquet as pq
out = "fuzz/corpus"
for name in ["tests/fixtures/pyarrow_default.parquet", "tests/fixtures/malformed/image_huge_png.parquet",
             "tests/fixtures/malformed/image_huge_jpeg.parquet", "tests/fixtures/malformed/image_garbage.parquet",
             "tests/fixtures/compare_pairs.parquet"]:
    t = pq.read_table(name, columns=["source_image", "edited_image"])
    for c in t.column_names:
        for i, v in enumerate(t[c].to_pylist()[:4]):
            with open(f"{out}/imaging/{os.path.basename(name)}.{c}.{i}", "wb") as f:
                f.write(v)
data = open("tests/fixtures/pyarrow_default.parquet", "rb").read()
meta = pq.ParquetFile("tests/fixtures/pyarrow_default.parquet").metadata
for ci in range(meta.num_columns):
    col = meta.row_group(0).column(ci)
    start = col.dictionary_page_offset or col.data_page_offset
    page = data[start:start + min(col.total_compressed_size, 4096)]
    with open(f"{out}/page_header/col{ci}", "wb") as f:
        f.write(page)
    with open(f"{out}/page_values/col{ci}", "wb") as f:
        # codec snappy, max_def 1, rows 0..1, pieces of 64 bytes: see fuzz/src/lib.rs
        f.write(bytes([3, 0, 1, 64]) + page)
PY

status=0
for target in ${FUZZ_TARGETS:-footer page_header page_values imaging}; do
    echo "== $target: $SECONDS_EACH s"
    (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$SECONDS_EACH" -timeout=10 -max_len=131072 -rss_limit_mb=2048 -print_final_stats=1) || status=1
done
exit $status
