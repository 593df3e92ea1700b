"""How long `civic extract` takes on a large report (a benchmark, not a test).

The report is generated: the project's own corpus passages (tests/fixtures/
extraction_corpus.yaml) repeated, each under a heading, with dated lines and a table of
digits mixed in (the dates and numbers that made the old extractor quadratic), until it is
`--size` bytes of UTF-8 (1 MB by default). It is written to a temporary folder and never
enters the store. Each size runs `civic extract --format json` in a fresh process against a
throwaway SQLite store, so the time is what a clerk waits for at the command line.

    .venv/bin/python scripts/bench_extract.py [--size BYTES ...]

Target (issue of the unbounded extraction): a 1 MB .txt in under 20 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "fixtures" / "extraction_corpus.yaml"
TARGET_SECONDS = 20.0


def generated_report(size: int) -> str:
    """Corpus passages, dated lines and digits until the text has `size` bytes of UTF-8."""
    passages = [p["text"] for p in yaml.safe_load(CORPUS.read_text("utf-8"))["passages"]]
    parts, total, n = ["2024年6月28日\n（生成的测试文本 · generated test text）\n"], 0, 0
    while total < size:
        passage = passages[n % len(passages)]
        block = (f"## 第{n + 1}篇\n\n{n % 12 + 1}月{n % 28 + 1}日，{passage}\n"
                 f"统计表：{' '.join(str(n * 7 + k) for k in range(8))}\n\n")
        parts.append(block)
        total += len(block.encode("utf-8"))
        n += 1
    return "".join(parts)


def run(size: int, folder: Path) -> dict[str, object]:
    report = folder / f"report-{size}.txt"
    report.write_text(generated_report(size), encoding="utf-8")
    store = f"sqlite:///{folder / 'bench.sqlite3'}"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "civic.cli", "extract", str(report),
                           "--format", "json", "--database", store],
                          capture_output=True, text=True, cwd=REPO, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"civic extract failed ({done.returncode}): {done.stderr[-500:]}")
    result = json.loads(done.stdout)
    return {"bytes": report.stat().st_size, "seconds": round(seconds, 1),
            "figures": len(result["figures"]), "not_proposed": len(result["not_proposed"])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, nargs="+", default=[250_000, 500_000, 1_000_000])
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.size:
            rows.append(run(size, Path(folder)))
            row = rows[-1]
            print(f"{row['bytes']:>9} bytes  {row['seconds']:>6} s  {row['figures']} figures, "
                  f"{row['not_proposed']} numbers not proposed", flush=True)
    largest = rows[-1]
    met = largest["bytes"] < 1_000_000 or largest["seconds"] < TARGET_SECONDS
    print(f"target: a 1 MB report in under {TARGET_SECONDS:.0f} s — {'met' if met else 'missed'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
