"""How well `civic extract` reads: the source edition (recall of the curated figures and
precision of everything it proposes) and the project's own labelled corpus of invented
passages (tests/fixtures/extraction_corpus.yaml: recall, precision, qualifier, label and metric
accuracy, and the numbers not proposed with the right reason), by part: `dev` passages the
rules were tuned on, `check` passages written afterwards.

Recall: every reported figure of the curated dataset (data/) must be proposed where its
locator stands in the edition, with the same value, value_max, unit and qualifier.

Precision: a proposed figure is *real* when it is one of the figures listed in REAL below,
found by reading the edition by hand: a number of something the text states (a count, an
amount, a duration, an age, an area), repeats in headlines included; not a date, an
ordinal, a name or slogan (第十届, “三个高地”), an idiom or an indefinite article
(一名普通工人, 一次考验). Each entry is a locating phrase of at most 20 characters and the
figure as printed inside it; every occurrence of the phrase counts.

    .venv/bin/python scripts/eval_extraction.py [EDITION] [--data DIR] [--date YYYY-MM-DD]
        [--corpus FILE] [--verbose]

Exits 1 when recall is under 97% or precision under 90%, on the edition or the corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
from pathlib import Path

import yaml

from civic.extraction import Extraction, ProposedFigure, extract, read_report
from civic.loading import load
from civic.models import Basis, Figure

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EDITION = ROOT / ".." / "shared" / "seeds" / "000_b818e08297bbd78c.txt"
DEFAULT_CORPUS = ROOT / "tests" / "fixtures" / "extraction_corpus.yaml"
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


def evaluate_edition(path: Path, dataset, date: dt.date | None) -> bool:
    text = read_report(path).text
    date = date or max(s.edition_date for s in dataset.sources)
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

    print(f"edition: {path.name}, dated {date}")
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
    return recall >= RECALL_TARGET and precision >= PRECISION_TARGET


# --- the labelled corpus --------------------------------------------------------------------

def _same(proposal: ProposedFigure, expected: dict) -> bool:
    q = proposal.quantity
    high = expected.get("value_max")
    return (math.isclose(q.value, expected["value"]) and q.unit == expected["unit"]
            and (q.value_max is None) == (high is None)
            and (high is None or math.isclose(q.value_max, high)))


def _printed(reported: str) -> str:
    """The figure as the corpus writes it: without 累计, 共计, 达到 … (how it was counted)."""
    return re.sub(r"^(?:累计|共计|合计|总计|达到|达)+", "", reported)


def _label_right(label: str, expected: str) -> bool:
    """The label names what is counted: the expected words within it, or it within them."""
    return bool(label) and (expected in label or (len(label) >= 2 and label in expected))


class Tally:
    def __init__(self) -> None:
        self.expected = self.found = self.proposed = self.real = 0
        self.qualifier = self.label = self.metric = self.metric_expected = 0
        self.skipped = self.skipped_right = 0
        self.problems: list[str] = []

    def add(self, passage: dict, result: Extraction) -> None:
        unused = list(result.figures)
        for expected in passage.get("figures") or []:
            self.expected += 1
            match = next((p for p in unused if _printed(p.reported) == expected["printed"]
                          and _same(p, expected)), None)
            if match is None:
                self.problems.append(f"{passage['id']}: missed {expected['printed']}")
                continue
            unused.remove(match)
            self.found += 1
            if str(match.quantity.qualifier) == expected["qualifier"]:
                self.qualifier += 1
            else:
                self.problems.append(f"{passage['id']}: qualifier of {expected['printed']} "
                                     f"{match.quantity.qualifier}, expected {expected['qualifier']}")
            if _label_right(match.label, expected["label"]):
                self.label += 1
            else:
                self.problems.append(f"{passage['id']}: label of {expected['printed']} "
                                     f"{match.label!r}, expected {expected['label']!r}")
            if "metric" in expected:
                self.metric_expected += 1
                if match.metric == expected["metric"]:
                    self.metric += 1
                else:
                    self.problems.append(f"{passage['id']}: metric of {expected['printed']} "
                                         f"{match.metric}, expected {expected['metric']}")
        self.proposed += len(result.figures)
        self.real += len(result.figures) - len(unused)
        self.problems += [f"{passage['id']}: not a figure {p.reported!r} in {p.phrase!r}"
                          for p in unused]
        for expected in passage.get("skipped") or []:
            self.skipped += 1
            listed = [s for s in result.not_proposed
                      if expected["printed"] in s.reported or s.reported in expected["printed"]]
            if any(s.reason == expected["reason"] for s in listed):
                self.skipped_right += 1
            else:
                self.problems.append(f"{passage['id']}: {expected['printed']} not listed as "
                                     f"{expected['reason']} ({[s.reason for s in listed]})")

    def lines(self, name: str) -> list[str]:
        def rate(a: int, b: int) -> str:
            return f"{a}/{b} = {a / b:.1%}" if b else "—"
        return [f"{name}: recall {rate(self.found, self.expected)}, "
                f"precision {rate(self.real, self.proposed)}, "
                f"qualifier {rate(self.qualifier, self.found)}, "
                f"label {rate(self.label, self.found)}, "
                f"metric {rate(self.metric, self.metric_expected)}, "
                f"not proposed with the right reason {rate(self.skipped_right, self.skipped)}"]

    def met(self) -> bool:
        return (self.expected == 0 or (self.found / self.expected >= RECALL_TARGET
                                       and self.real / max(self.proposed, 1) >= PRECISION_TARGET))


def evaluate_corpus(path: Path, dataset, verbose: bool) -> bool:
    corpus = yaml.safe_load(path.read_text("utf-8"))
    default = corpus["date"]
    parts: dict[str, Tally] = {}
    every = Tally()
    for passage in corpus["passages"]:
        result = extract(passage["text"], dataset, passage.get("date", default))
        for tally in (parts.setdefault(passage["part"], Tally()), every):
            tally.add(passage, result)
    counts = {name: sum(p["part"] == name for p in corpus["passages"]) for name in parts}
    print(f"corpus: {path.name}, {len(corpus['passages'])} passages ("
          + ", ".join(f"{name} {count}" for name, count in counts.items()) + ")")
    for name, tally in [*parts.items(), ("all", every)]:
        print("\n".join(tally.lines(f"  {name}")))
    if verbose:
        for problem in every.problems:
            print(f"  {problem}")
    return every.met()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", nargs="?", type=Path, default=DEFAULT_EDITION)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--date", type=dt.date.fromisoformat,
                        help="the edition's date (default: from data/sources.yaml)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list every miss of the corpus")
    args = parser.parse_args(argv)

    dataset = load(args.data).dataset
    edition = evaluate_edition(args.edition, dataset, args.date)
    print()
    corpus = evaluate_corpus(args.corpus, dataset, args.verbose)
    return 0 if edition and corpus else 1


if __name__ == "__main__":
    sys.exit(main())
