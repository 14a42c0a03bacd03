"""Fit the weights of extraction's check-worthiness score to labelled articles.

    .venv/bin/python scripts/fit_extraction.py [DATA] [--write]

DATA (default ../shared/extraction-dev) holds articles/NN-slug.txt (line 1
``SOURCE: ...``, a blank line, then the text) and gold/NN-slug.json (the
check-worthy sentences, ``[{"sentence", "why", "claimant"}]``, borderline ones
with a ``why`` starting "(borderline)") with gold/NN-slug.nonclaims.json (every
other sentence). The texts stay where they are: only the fitted numbers come
into the project, in verifier/extraction/weights.py (with ``--write``).

The model is a logistic regression over the cues of ``scoring.features``, fitted
by Newton's method with an L2 penalty, in plain Python. Each sentence that
extraction finds and that lies inside a labelled sentence is one example:
check-worthy 1 (borderline ones at half weight: they count neither for recall
nor against precision), the rest 0. Boilerplate is not scored.

It prints leave-one-article-out cross-validation first: for each article, the
weights and the threshold are fitted on the others and the article is scored
with them, as the project's scorer would (recall of core claims, precision,
separation); then it fits on all articles.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")
os.environ.setdefault("SECRET_KEY", "fit-extraction-only")
django.setup()

from verifier import extraction, importing  # noqa: E402
from verifier.extraction import scoring  # noqa: E402

# The penalty per unit of training weight; FIT_L2 overrides it to try others
# (0.005 had the best cross-validated precision and separation of 0.002-0.02).
L2 = float(os.environ.get("FIT_L2", 0.005))
# What news writing tells before any data: the weights that the penalty pulls
# towards (0 for the rest). Questions, calls to action, headlines that state an
# aim, lead-ins to a quote, captions, aims and thanks make no claim; there are
# too few of them in any labelled set for the data alone to say so firmly.
PRIORS = {
    "question": -2.0,
    "imperative": -2.0,
    "headline of an aim": -2.0,
    "lead-in": -1.0,
    "caption": -2.0,
    "aim": -1.0,
    "acknowledgement": -2.0,
}
STEPS = 50
# The threshold is the highest whose recall of core claims on the training
# articles reaches this: a missed claim costs a fact-checker more than a
# sentence they dismiss. 0.97 keeps cross-validated recall above 0.95 (0.96 did
# not); FIT_RECALL overrides it.
TARGET_RECALL = float(os.environ.get("FIT_RECALL", 0.97))


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def overlap(claim: str, sentence: str) -> tuple[float, float]:
    """Shares of the sentence's words and of the claim's words they have in common."""
    wc, ws = words(claim), words(sentence)
    if not wc or not ws:
        return 0.0, 0.0
    common = len(wc & ws)
    return common / len(ws), common / len(wc)


def dev_set(data: Path) -> Iterator[tuple[str, str, list[str], list[str], list[str]]]:
    """Name, body, core claims, all claims and non-claims of each dev article."""
    for path in sorted((data / "articles").glob("*.txt")):
        text = "\n".join(path.read_text(encoding="utf-8").split("\n")[2:])
        gold = json.loads((data / "gold" / f"{path.stem}.json").read_text("utf-8"))
        non = json.loads(
            (data / "gold" / f"{path.stem}.nonclaims.json").read_text("utf-8")
        )
        core = [g["sentence"] for g in gold if not g["why"].startswith("(borderline)")]
        yield path.stem, text, core, [g["sentence"] for g in gold], non


def test_articles() -> Iterator[tuple[str, str, list[str], list[str], list[str]]]:
    """The same for the project's own test articles (tests/data) and the seed."""
    data = ROOT / "tests" / "data"
    for path in sorted(data.glob("*.txt")) + sorted(data.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            text = importing.html_to_text(text)
        labels = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        claims = labels["check_worthy"]
        non = labels["not_check_worthy"] + labels.get("opinion_or_colour", [])
        yield f"tests/data/{path.name}", text, claims, claims, non
    seed = json.loads((data / "seed" / "claims.json").read_text(encoding="utf-8"))
    text = (data / "seed" / "000_ed366670d22ee3fa.txt").read_text(encoding="utf-8")
    claims = [claim["sentence"] for claim in seed["check_worthy"]]
    yield "tests/data/seed", text, claims, claims, seed["not_check_worthy"]


def load(sources) -> list[dict]:
    """Each article's sentences with their cues, labels and weights."""
    articles = []
    for name, text, core, labelled, non in sources:
        body = extraction.normalise(text)
        rows = []
        for start, end, flagged, _, context in extraction.sentence_contexts(body):
            if flagged:
                continue
            sentence = body[start:end]
            cues = scoring.features(sentence, **context)
            right = any(overlap(sentence, g)[1] >= 0.7 for g in labelled)
            is_core = any(overlap(sentence, g)[1] >= 0.7 for g in core)
            wrong = any(overlap(sentence, n)[1] >= 0.7 for n in non)
            if not (right or wrong):
                continue
            rows.append(
                {
                    "text": sentence,
                    "cues": cues,
                    "label": 1 if right else 0,
                    "weight": 1.0 if is_core or not right else 0.5,
                }
            )
        # For each core claim, the rows that would cover it if taken.
        covering = [
            [
                i
                for i, row in enumerate(rows)
                if overlap(row["text"], g)[0] >= 0.7
                and overlap(row["text"], g)[1] >= 0.5
            ]
            for g in core
        ]
        articles.append({"name": name, "rows": rows, "core": covering})
    return articles


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve a small symmetric positive definite system by Gaussian elimination."""
    n = len(vector)
    rows = [matrix[i][:] + [vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(col + 1, n):
            factor = rows[r][col] / rows[col][col]
            for c in range(col, n + 1):
                rows[r][c] -= factor * rows[col][c]
    solution = [0.0] * n
    for r in range(n - 1, -1, -1):
        known = sum(rows[r][c] * solution[c] for c in range(r + 1, n))
        solution[r] = (rows[r][n] - known) / rows[r][r]
    return solution


def fit(rows: list[dict], names: list[str]) -> tuple[float, dict[str, float]]:
    """Bias and weights minimising the weighted log loss plus an L2 penalty on
    the weights' distance from PRIORS (none on the bias), by Newton's method."""
    xs = [[1.0] + [row["cues"].get(name, 0.0) for name in names] for row in rows]
    n = len(names) + 1
    beta = [0.0] * n
    total = sum(row["weight"] for row in rows)
    prior = [0.0] + [PRIORS.get(name, 0.0) for name in names]
    for _ in range(STEPS):
        grad = [L2 * total * (beta[i] - prior[i]) if i else 0.0 for i in range(n)]
        hessian = [[0.0] * n for _ in range(n)]
        for i in range(1, n):
            hessian[i][i] = L2 * total
        for x, row in zip(xs, rows, strict=True):
            z = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1 / (1 + math.exp(-z))
            error, curve = (
                (p - row["label"]) * row["weight"],
                p * (1 - p) * row["weight"],
            )
            active = [i for i, v in enumerate(x) if v]
            for i in active:
                grad[i] += error * x[i]
                for j in active:
                    hessian[i][j] += curve * x[i] * x[j]
        step = _solve(hessian, grad)
        beta = [b - d for b, d in zip(beta, step, strict=True)]
        if max(abs(d) for d in step) < 1e-6:
            break
    return beta[0], dict(zip(names, beta[1:], strict=True))


def score(cues: dict[str, float], bias: float, weights: dict[str, float]) -> float:
    z = bias + sum(weights.get(k, 0.0) * v for k, v in cues.items())
    return round(1 / (1 + math.exp(-z)), 3)


def choose_threshold(articles: list[dict], bias: float, weights: dict) -> float:
    scored = [
        (a, [score(r["cues"], bias, weights) for r in a["rows"]]) for a in articles
    ]
    best = 0.05
    for step in range(5, 96):
        threshold = step / 100
        hits = total = 0
        for article, scores in scored:
            for covering in article["core"]:
                total += 1
                hits += any(scores[i] >= threshold for i in covering)
        if total and hits / total >= TARGET_RECALL:
            best = threshold
    return best


def evaluate(articles, bias, weights, threshold) -> dict:
    tp = fn = good = taken = 0
    right_scores, wrong_scores = [], []
    for article in articles:
        scores = [score(r["cues"], bias, weights) for r in article["rows"]]
        for covering in article["core"]:
            hit = any(scores[i] >= threshold for i in covering)
            tp += hit
            fn += not hit
        for row, s in zip(article["rows"], scores, strict=True):
            if s >= threshold:
                taken += 1
                good += row["label"]
                (right_scores if row["label"] else wrong_scores).append(s)
    pairs = len(right_scores) * len(wrong_scores)
    separation = (
        sum((r > w) + 0.5 * (r == w) for r in right_scores for w in wrong_scores)
        / pairs
        if pairs
        else float("nan")
    )
    return {
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
        "precision": good / taken if taken else float("nan"),
        "separation": separation,
        "tp": tp,
        "fn": fn,
        "good": good,
        "taken": taken,
        "right": right_scores,
        "wrong": wrong_scores,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data", nargs="?", default=str(ROOT.parent / "shared" / "extraction-dev")
    )
    parser.add_argument("--write", action="store_true", help="write weights.py")
    parser.add_argument("-v", "--verbose", action="store_true", help="list errors")
    parser.add_argument(
        "--dev-only", action="store_true", help="leave out the project's test articles"
    )
    args = parser.parse_args()
    dev = load(dev_set(Path(args.data)))
    articles = dev + ([] if args.dev_only else load(test_articles()))
    names = sorted(
        {k for a in articles for r in a["rows"] for k in r["cues"]} | set(PRIORS)
    )

    print("leave-one-article-out cross-validation on the dev set:")
    pooled = {"tp": 0, "fn": 0, "good": 0, "taken": 0, "right": [], "wrong": []}
    for held_out in dev:
        training = [a for a in articles if a is not held_out]
        bias, weights = fit([r for a in training for r in a["rows"]], names)
        threshold = choose_threshold(training, bias, weights)
        result = evaluate([held_out], bias, weights, threshold)
        if args.verbose:
            for row in held_out["rows"]:
                value = score(row["cues"], bias, weights)
                if (value >= threshold) != bool(row["label"]):
                    mark = "wrong" if row["label"] == 0 else "missed"
                    if mark == "missed" and row["weight"] < 1:
                        mark = "missed (borderline)"
                    print(f"    {mark} {value:.2f}: {row['text'][:110]}")
                    print(f"        {sorted(row['cues'])}")
        for key in pooled:
            pooled[key] += result[key]
        print(
            f"  {held_out['name']:45}"
            f" recall {result['tp']}/{result['tp'] + result['fn']}"
            f" precision {result['good']}/{result['taken']}"
            f" threshold {threshold:.2f}"
        )
    pairs = len(pooled["right"]) * len(pooled["wrong"])
    separation = (
        sum((r > w) + 0.5 * (r == w) for r in pooled["right"] for w in pooled["wrong"])
        / pairs
    )
    print(
        f"  overall: recall(core) {pooled['tp'] / (pooled['tp'] + pooled['fn']):.3f}"
        f" precision {pooled['good'] / pooled['taken']:.3f}"
        f" separation {separation:.3f}"
    )

    bias, weights = fit([r for a in articles for r in a["rows"]], names)
    threshold = choose_threshold(articles, bias, weights)
    result = evaluate(dev, bias, weights, threshold)
    print(
        f"fitted on all {len(articles)} articles, on the dev set:"
        f" threshold {threshold:.2f},"
        f" recall(core) {result['recall']:.3f} precision {result['precision']:.3f}"
        f" separation {result['separation']:.3f}"
    )
    for name, weight in sorted(weights.items(), key=lambda item: -item[1]):
        print(f"  {weight:+.2f} {name}")
    if args.write:
        lines = [
            '"""Weights of the check-worthiness cues. Written by'
            ' scripts/fit_extraction.py."""',
            "",
            f"THRESHOLD = {threshold:.2f}",
            f"BIAS = {bias:.3f}",
            "WEIGHTS: dict[str, float] = {",
            *(f"    {name!r}: {weights[name]:.3f}," for name in names),
            "}",
            "",
        ]
        path = ROOT / "verifier" / "extraction" / "weights.py"
        path.write_text("\n".join(lines).replace("'", '"'), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
