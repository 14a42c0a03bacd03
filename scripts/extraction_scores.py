"""The scorer's four numbers for each labelled article, and overall.

    .venv/bin/python scripts/extraction_scores.py [DATA] [-v]

The same measures as ``../shared/tools/score-extraction`` (whose matching rules
it imports from ``../shared/tools/lib``), computed in this process on
``extraction.candidates`` rather than through ``import_article --json``, so
that separation and claimant accuracy show per article too. DATA defaults to
``../shared/extraction-dev``; ``-v`` lists misses, wrong picks and wrong
claimants.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "shared" / "tools" / "lib"))

import score_extraction as scorer  # noqa: E402

from verifier import extraction  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data", nargs="?", default=str(ROOT.parent / "shared" / "extraction-dev")
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    data = Path(args.data)
    totals = {"hit": 0, "core": 0, "good": 0, "got": 0, "cl_right": 0, "cl_all": 0}
    all_right, all_wrong = [], []
    print(
        f"{'article':45} {'recall':>7} {'precision':>9} {'separation':>10}"
        f" {'claimant':>8}"
    )
    for path in sorted((data / "articles").glob("*.txt")):
        text = "\n".join(path.read_text(encoding="utf-8").split("\n")[2:])
        body = extraction.normalise(text)
        gold = json.loads((data / "gold" / f"{path.stem}.json").read_text("utf-8"))
        claims, _ = extraction.candidates(body)
        core = [g for g in gold if not g["why"].startswith("(borderline)")]
        hit = [
            g for g in core if any(scorer.covers(c.text, g["sentence"]) for c in claims)
        ]
        right, wrong, cl_right, cl_all, lines = [], [], 0, 0, []
        for claim in claims:
            match = next(
                (g for g in gold if scorer.inside(claim.text, g["sentence"])), None
            )
            (right if match else wrong).append(claim.score)
            if not match:
                lines.append(f"    wrong {claim.score:.2f}: {claim.text[:100]}")
            elif "claimant" in match:
                cl_all += 1
                same = scorer.same_claimant(claim.claimant, match["claimant"])
                cl_right += same
                if not same:
                    lines.append(
                        f"    claimant {claim.claimant!r}, labelled"
                        f" {match['claimant']!r}: {claim.text[:70]}"
                    )
        lines += [f"    missed: {g['sentence'][:100]}" for g in core if g not in hit]
        separation = scorer.separation(right, wrong)
        print(
            f"{path.stem:45} {len(hit):>3}/{len(core):<3}"
            f" {len(right):>4}/{len(claims):<4}"
            f" {'n/a' if separation is None else f'{separation:.3f}':>10}"
            f" {cl_right:>3}/{cl_all:<4}"
        )
        if args.verbose:
            print("\n".join(lines))
        totals["hit"] += len(hit)
        totals["core"] += len(core)
        totals["good"] += len(right)
        totals["got"] += len(claims)
        totals["cl_right"] += cl_right
        totals["cl_all"] += cl_all
        all_right += right
        all_wrong += wrong
    print(
        f"overall: recall(core) {totals['hit'] / totals['core']:.3f}"
        f" precision {totals['good'] / totals['got']:.3f}"
        f" separation {scorer.separation(all_right, all_wrong):.3f}"
        f" claimant {totals['cl_right'] / totals['cl_all']:.3f}"
    )


if __name__ == "__main__":
    main()
