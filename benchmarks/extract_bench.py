"""How fast and how memory-hungry is claim extraction on long text?

Builds 0.1, 1 and 5 MB of article text by repeating the test articles, runs
``extraction.analyse`` on each and prints seconds and peak memory. Time is the
best of ``--repeat`` runs, as timeit does, since other work on the machine only
ever adds to it; it is measured without tracemalloc (which slows Python down),
and peak memory in one more run with it. CPU seconds count only this process,
so they say more than wall seconds on a machine that other work shares.

Then times ``importing.html_to_text`` on pages of 15,000 to 60,000 paragraphs:
the seconds should double with the paragraphs (it once took 94 s for 60,000).

    .venv/bin/python benchmarks/extract_bench.py [--sizes 0.1 1 5] [--repeat 3]
        [--paragraphs 15000 30000 60000]

Target: at least 1 MB of text per CPU second, growing linearly.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")
os.environ.setdefault("SECRET_KEY", "extract-bench-only")
django.setup()

from verifier import extraction, importing  # noqa: E402

DATA = ROOT / "tests" / "data"
MB = 1_000_000


def corpus() -> str:
    """The test articles as plain text, separated by blank lines."""
    articles = []
    for path in sorted(DATA.glob("*.txt")) + sorted(DATA.glob("*.html")):
        raw = path.read_text(encoding="utf-8")
        text = importing.html_to_text(raw) if path.suffix == ".html" else raw
        articles.append(extraction.normalise(text))
    return "\n\n".join(articles)


def build(size: int, base: str) -> str:
    """At least ``size`` characters of text, cut at a paragraph break."""
    copies = size // len(base) + 1
    text = "\n\n".join([base] * copies)
    cut = text.rfind("\n\n", 0, size)
    return text[: cut if cut > 0 else size]


def measure(text: str, repeat: int) -> tuple[float, float, float, int]:
    """Best wall and CPU seconds, peak MiB and number of sentences of ``analyse``."""
    seconds = cpu_seconds = float("inf")
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        sentences = extraction.analyse(text)
        seconds = min(seconds, time.perf_counter() - started)
        cpu_seconds = min(cpu_seconds, time.process_time() - cpu_started)

    tracemalloc.start()
    extraction.analyse(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, cpu_seconds, peak / 2**20, len(sentences)


def page(paragraphs: int) -> str:
    """An HTML page of ``paragraphs`` paragraphs, with furniture between them."""
    blocks = "".join(
        f"<p>Paragraph {n} says that {n * 7} people came.</p><script>x({n})</script>"
        for n in range(paragraphs)
    )
    return (
        "<html><body><nav>Home</nav><article><h1>Many paragraphs</h1>"
        f"{blocks}</article><footer>(c)</footer></body></html>"
    )


def measure_html(paragraphs: int, repeat: int) -> tuple[float, float, int]:
    """Best wall and CPU seconds of ``html_to_text`` and the size of the page."""
    html = page(paragraphs)
    seconds = cpu_seconds = float("inf")
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        importing.html_to_text(html)
        seconds = min(seconds, time.perf_counter() - started)
        cpu_seconds = min(cpu_seconds, time.process_time() - cpu_started)
    return seconds, cpu_seconds, len(html)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[0.1, 1, 5])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--paragraphs", nargs="*", type=int, default=[15_000, 30_000, 60_000]
    )
    args = parser.parse_args()

    base = corpus()
    extraction.analyse(base)  # warm up: regex compilation, pysbd set-up

    print(
        f"{'size MB':>8} {'chars':>10} {'sentences':>10} {'seconds':>8} "
        f"{'cpu s':>6} {'MB/cpu s':>8} {'peak MiB':>9}"
    )
    for size_mb in args.sizes:
        text = build(int(size_mb * MB), base)
        seconds, cpu_seconds, peak, count = measure(text, args.repeat)
        print(
            f"{size_mb:>8g} {len(text):>10,} {count:>10,} {seconds:>8.2f} "
            f"{cpu_seconds:>6.2f} {len(text) / MB / cpu_seconds:>8.2f} {peak:>9.1f}"
        )

    if args.paragraphs:
        print(f"\n{'<p> blocks':>10} {'html MB':>8} {'seconds':>8} {'cpu s':>6}")
    for paragraphs in args.paragraphs:
        seconds, cpu_seconds, size = measure_html(paragraphs, args.repeat)
        print(
            f"{paragraphs:>10,} {size / MB:>8.2f} {seconds:>8.2f} {cpu_seconds:>6.2f}"
        )


if __name__ == "__main__":
    main()
