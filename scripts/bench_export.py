"""Export timings, cold and warm, per format (a benchmark, not a test): `make bench`.

Each format runs in a fresh Python process, so "cold" is the first export of a process
(for images, starting the browser included) and "warm" the median of the repeats after it.
The view is the whole dataset in Chinese; charts are the leaders' walk funnel.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORMATS = ("png", "svg", "pdf", "html", "csv", "xlsx", "briefing", "zip")
NEEDS_BROWSER = {"png", "svg", "pdf", "briefing", "zip"}


def _builder(fmt: str):
    """The export of one format for the whole view, as a function of nothing."""
    sys.path.insert(0, str(REPO))
    from civic import export, panels, tables
    from civic.catalog import Catalog
    from civic.filters import Filters
    from civic.view import View

    view = View(Catalog.load(REPO / "data"), Filters(lang="zh"))
    panel = panels.funnel(view, "leaders_walk")
    builders = {
        "html": lambda: export.chart_html(panel, view),
        "csv": lambda: export.csv_bytes(tables.figures(view)),
        "xlsx": lambda: export.figures_xlsx(view),
        "briefing": lambda: export.briefing_pdf(view),
        "zip": lambda: export.zip_bytes(view),
    }
    builders |= {f: (lambda f=f: export.chart_image(panel, view, f)) for f in export.IMAGE_FORMATS}
    return builders[fmt], export


def _child(fmt: str, repeat: int) -> None:
    build, export = _builder(fmt)
    if fmt in NEEDS_BROWSER and not export.browser_available():
        print(json.dumps({"skipped": export.install_hint("en")}))
        return
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        size = len(build())
        times.append(time.perf_counter() - start)
    print(json.dumps({"cold": times[0], "warm": statistics.median(times[1:]), "size": size}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per format")
    parser.add_argument("--format", choices=FORMATS, action="append",
                        help="only this format (repeatable)")
    parser.add_argument("--child", choices=FORMATS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.repeat)
        return 0
    print(f"{'format':<10}{'cold (s)':>10}{'warm (s)':>10}{'size (KB)':>11}")
    for fmt in args.format or FORMATS:
        done = subprocess.run([sys.executable, __file__, "--child", fmt, "--repeat",
                               str(args.repeat)], capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{fmt:<10} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if "skipped" in result:
            print(f"{fmt:<10} skipped: {result['skipped']}")
            continue
        print(f"{fmt:<10}{result['cold']:>10.2f}{result['warm']:>10.2f}"
              f"{result['size'] / 1024:>11.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
