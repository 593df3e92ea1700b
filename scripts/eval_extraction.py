"""How well `civic extract` reads the source edition: recall of the curated figures and
precision of everything it proposes.

Recall: every reported figure of the curated dataset (data/) must be proposed where its
locator stands in the edition, with the same value, value_max, unit and qualifier.

Precision: a proposed figure is *real* when it is one of the figures listed in REAL below,
found by reading the edition by hand: a number of something the text states (a count, an
amount, a duration, an age, an area), repeats in headlines included; not a date, an
ordinal, a name or slogan (第十届, “三个高地”), an idiom or an indefinite article
(一名普通工人, 一次考验). Each entry is a locating phrase of at most 20 characters and the
figure as printed inside it; every occurrence of the phrase counts.

    .venv/bin/python scripts/eval_extraction.py [EDITION] [--data DIR] [--date YYYY-MM-DD]

Exits 1 when recall is under 97% or precision under 90%.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path

from civic.extraction import ProposedFigure, extract, read_report
from civic.loading import load
from civic.models import Basis, Figure

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EDITION = ROOT / ".." / "shared" / "seeds" / "000_b818e08297bbd78c.txt"
RECALL_TARGET, PRECISION_TARGET = 0.97, 0.90

# (locating phrase, the figure as printed in it): every figure the edition states.
REAL: list[tuple[str, str]] = [
    ("全省14市州", "14市州"), ("1场选拔赛", "1场"), ("54场海选赛", "54场"),
    ("选出44名运动员", "44名"), ("来自14个市州", "14个市州"), ("630多名运动员", "630多名"),
    ("接回3名", "3名"),
    ("5位技能大师", "5位"), ("吴端华五位", "五位"), ("16岁时进厂", "16岁"), ("35年来", "35年"),
    ("从业20多年", "20多年"),
    ("接种后2周至4周", "2周至4周"), ("6至35月龄", "6至35月龄"), ("增加到了3种", "3种"),
    ("3岁及以上", "3岁及以上"), ("有4种疫苗", "4种"),
    ("事项4023人次", "4023人次"), ("问题639个", "639个"), ("解决问题488个", "488个"),
    ("公布22家职能部门", "22家"), ("100项高频事项", "100项"), ("需审批3个月", "3个月"),
    ("省1个月时间成本", "1个月"),
    ("项目总投资10亿元", "10亿元"), ("占地约7公顷", "约7公顷"), ("企业百余家", "百余家"),
    ("年产值超20亿元", "超20亿元"),
    ("年产值可达30亿元", "可达30亿元"), ("年产5万吨", "5万吨"), ("5年间", "5年"),
    ("从2000万元", "2000万元"), ("提升到近2亿元", "近2亿元"), ("计划投资10亿元", "10亿元"),
    ("用地6公顷", "6公顷"), ("厂房4栋", "4栋"), ("20条,", "20条"),
    ("劳动力350人左右", "350人左右"), ("未来一个月内", "一个月"),
    ("走失14小时", "14小时"),
    ("母子两人", "两人"),
    ("举办571期", "571期"), ("1000人次参与", "1000人次"), ("感言共5000余条", "5000余条"),
    ("节约了一周", "一周"),
]


def occurrences(text: str, phrase: str) -> list[int]:
    found, pos = [], text.find(phrase)
    while pos >= 0:
        found.append(pos)
        pos = text.find(phrase, pos + 1)
    return found


def inside(proposal: ProposedFigure, text: str, phrase: str) -> bool:
    return any(at <= proposal.start and proposal.end <= at + len(phrase)
               for at in occurrences(text, phrase))


def same_number(proposal: ProposedFigure, figure: Figure) -> bool:
    q = proposal.quantity
    close = (math.isclose(q.value, figure.value)
             and (q.value_max is None) == (figure.value_max is None)
             and (q.value_max is None or math.isclose(q.value_max, figure.value_max)))
    return close and q.unit == figure.unit and q.qualifier == figure.qualifier


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", nargs="?", type=Path, default=DEFAULT_EDITION)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--date", type=dt.date.fromisoformat,
                        help="the edition's date (default: from data/sources.yaml)")
    args = parser.parse_args(argv)

    dataset = load(args.data).dataset
    text = read_report(args.edition).text
    date = args.date or max(s.edition_date for s in dataset.sources)
    proposals = extract(text, dataset, date).figures

    reported = [f for f in dataset.figures if f.basis is Basis.REPORTED]
    missed = [f for f in reported
              if not any(inside(p, text, f.locator) and same_number(p, f) for p in proposals)]
    recall = 1 - len(missed) / len(reported)

    real = [p for p in proposals
            if any(p.reported == printed and inside(p, text, phrase) for phrase, printed in REAL)]
    false = [p for p in proposals if p not in real]
    precision = len(real) / len(proposals) if proposals else 0.0
    listed = sum(len(occurrences(text, phrase)) for phrase, _ in REAL)

    print(f"edition: {args.edition.name}, dated {date}")
    print(f"recall:    {len(reported) - len(missed)}/{len(reported)} curated figures "
          f"= {recall:.1%} (target {RECALL_TARGET:.0%})")
    print(f"precision: {len(real)}/{len(proposals)} proposed figures are real "
          f"= {precision:.1%} (target {PRECISION_TARGET:.0%})")
    print(f"found {len(real)} of the {listed} figures the edition states (hand-checked list)")
    assigned = {field: 0 for field in ("program", "metric", "department")}
    for figure in [f for f in reported if f not in missed]:
        proposal = next(p for p in proposals if inside(p, text, figure.locator)
                        and same_number(p, figure))
        for field in assigned:
            assigned[field] += getattr(proposal, field) == getattr(figure, field)
    found = len(reported) - len(missed)
    print("catalogue proposals right for the curated figures found: " + ", ".join(
        f"{field} {count}/{found}" for field, count in assigned.items()))
    for figure in missed:
        print(f"  missed: {figure.program}.{figure.metric} {figure.text} at {figure.locator!r}")
    for proposal in false:
        print(f"  not a figure: {proposal.reported!r} in {proposal.phrase!r}")
    return 0 if recall >= RECALL_TARGET and precision >= PRECISION_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
