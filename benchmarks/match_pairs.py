"""Precision and recall of "Previously checked" matching on the labelled pairs.

    .venv/bin/python benchmarks/match_pairs.py

tests/data/claim_pairs.json holds claim pairs written for this project: the same
claim reworded, and the same topic with another figure, date or subject. A pair
predicted "same" that is labelled otherwise costs precision; a reworded pair not
found costs recall. For the pairs that differ, it also counts whether the difference
was named right.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verifier import matching  # noqa: E402

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "claim_pairs.json"


def score(pairs: list[dict]) -> str:
    tp = fp = fn = named = 0
    for pair in pairs:
        match = matching.compare(pair["a"], pair["b"])
        if match.same and pair["same"]:
            tp += 1
        elif match.same:
            fp += 1
            print("  wrongly the same:", pair["a"], "|", pair["b"])
        elif pair["same"]:
            fn += 1
            print("  missed:", round(match.similarity, 2), pair["a"], "|", pair["b"])
        if not pair["same"]:
            said = " ".join(match.differs).replace("who or what it is about", "subject")
            named += pair["differs"] in said
    differing = sum(not p["same"] for p in pairs)
    return (
        f"{len(pairs)} pairs ({len(pairs) - differing} same, {differing} differ): "
        f"precision {tp / max(1, tp + fp):.3f}, recall {tp / max(1, tp + fn):.3f}, "
        f"differences named right {named} of {differing}"
    )


def main() -> None:
    pairs = json.loads(PAIRS.read_text())["pairs"]
    held_out = [p for p in pairs if p.get("set") == "held-out"]
    written_first = [p for p in pairs if p.get("set") != "held-out"]
    print("written with the matcher:", score(written_first))
    print("held out (written after):", score(held_out))
    print("all:                     ", score(pairs))


if __name__ == "__main__":
    main()
