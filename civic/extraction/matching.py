"""A figure of a report matched to the catalogue: the metric by its label, synonyms and unit,
the program by its name or departments named in the article, the department and district by
the names the text uses; and the units the text names that the catalogue lacks (安化县).

Each figure's match looks at its sentence and at what its section names, computed once per
section, so matching a report is linear in its length.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from civic.extraction.rules import SENTENCE_END, Context, bounds
from civic.models import Dataset, Program
from civic.quantities import UNITS, Quantity

_MIN_CONFIDENCE = 0.5
# Dimensions a report mixes up: 走流程4023人 counts visits as persons. The metric is proposed
# at a lower confidence, with a note that the units differ.
_NEAR_DIMENSIONS = {("persons", "person_times"): 0.85, ("person_times", "persons"): 0.85}
_NEGATED = re.compile(r"(?:待|未|尚未|没有|不)$")  # 待整改问题 are not 整改问题
_NEGATED_WORD = re.compile(r"(?:待|尚未|未)(?:整改|解决|办结|完成|处理)")


def _subsequence_span(term: str, text: str) -> int | None:
    """The length of the shortest stretch of text holding the term's characters in order."""
    best = None
    for i, char in enumerate(text):
        if char != term[0]:
            continue
        pos = i
        for following in term[1:]:
            pos = text.find(following, pos + 1)
            if pos < 0:
                break
        else:
            span = pos - i + 1
            best = span if best is None else min(best, span)
    return best


def _whole(term: str, words: str) -> bool:
    """The term stands in the words, and not negated (待整改问题 is no 整改问题)."""
    at = words.find(term)
    while at >= 0:
        if not _NEGATED.search(words[max(0, at - 2):at]):
            return True
        at = words.find(term, at + 1)
    return False


def _term_score(term: str, near: str, sentence: str) -> float:
    """How well a metric's word fits the words around a figure: whole word near it, whole
    word in its sentence, its characters in order near it or in its sentence."""
    if _whole(term, near):
        return 1.0
    if term in near:
        return 0.0  # only negated
    if _whole(term, sentence):
        return 0.75 if len(term) >= 3 else 0.45  # a short word far off is weak evidence
    for window, weight in ((near, 0.8), (sentence, 0.55)):
        span = _subsequence_span(term, window)
        if span is not None and span <= 4 * len(term):
            return weight * (0.7 + 0.3 * len(term) / span)
    return 0.0


_ABBREVIATIONS = {
    "疾病预防控制中心": "疾控中心", "人力资源和社会保障局": "人社局",
    "发展和改革委员会": "发改委", "住房和城乡建设局": "住建局",
    "城市管理和综合执法局": "城管局", "救助管理站": "救助站", "市政工程中心": "市政中心",
    "人民政府": "政府", "卫生健康委员会": "卫健委", "市场监督管理局": "市场监管局",
}
# 湖南省…, 株洲市…: the province or city a government department's name starts with.
_ADMIN_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,3}?[省市](?=[\u4e00-\u9fff]{2})")
_COMPANY_SUFFIX = re.compile(r"(?:股份有限公司|有限责任公司|科技有限公司|有限公司)$")


def department_names(name: str) -> set[str]:
    """The ways a report may write a department: 株洲市疾病预防控制中心 is also 市疾控中心,
    湖南铂威新能源科技有限公司 also 铂威新能源, 株洲市公安局芦淞分局 also 芦淞公安分局."""
    names = {name}
    m = re.fullmatch(r"(.*)公安局(.+)分局", name)
    if m:
        names |= {f"{m[2]}公安分局", f"{m[2]}分局"}
    for full, short in _ABBREVIATIONS.items():
        names |= {n.replace(full, short) for n in list(names)}
    for n in list(names):
        if place := _ADMIN_PREFIX.match(n):
            local = n[place.end():]
            names |= {local, place[0][-1] + local}  # 民政局 in a list, 市民政局
        if _COMPANY_SUFFIX.search(n):
            bare = _COMPANY_SUFFIX.sub("", n)
            names |= {bare, bare[2:]}  # a company's brand follows its place: 铂威新能源
    return {n for n in names if len(n) >= 3}


def _program_names(program: Program) -> set[str]:
    name = program.name.zh
    names = {re.sub(r"[“”\"《》]", "", name)} | set(re.findall(r"“([^”]{3,})”", name))
    names |= {n[place.end():] for n in names if (place := _ADMIN_PREFIX.match(n))}
    names |= {re.sub(r"^\d{4}年", "", n) for n in names}
    return {n for n in names if len(n) >= 4}


# A county or district a report names: 安化县, 雨花区, 攸县. Words that end so but name no
# place (全县, 社区, 开发区) are left out.
_PLACE = re.compile(r"(?:^|(?<=[\s，。；：、“”（）()《》据在由与和对向为到从是了及至赴经共将同如]))"
                    r"(?:[\u4e00-\u9fff]{2}|攸)[县区](?![域内外间别块划级])", re.MULTILINE)
_NOT_PLACE_START = set("全该我本各每市区县省州的在和与及到至从其此这那城乡镇村各")
_NOT_PLACE_LAST = set("社小园景城辖片市新老山林矿校厂灾疫范发护务业验心行中集能活宅学街营试点域")
_UNIT_SUFFIX = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:局|委员会|委|中心|办公室|政府|街道|镇|乡|站|所)")


@dataclass(frozen=True)
class Catalogue:
    """What the extractor matches against, built once from a dataset."""

    dataset: Dataset
    department_pattern: re.Pattern[str] | None
    department_by_name: dict[str, str]
    district_names: dict[str, str]  # 渌口区 → lukou
    program_names: dict[str, set[str]]
    programs_by_metric: dict[str, set[str]]
    reporting: dict[str, set[str]]  # a program's lead and the departments of its figures
    leads: dict[str, str]

    @classmethod
    def of(cls, dataset: Dataset) -> Catalogue:
        by_name: dict[str, str] = {}
        for department in dataset.departments:
            for variant in department_names(department.name.zh):
                by_name.setdefault(variant, department.id)
        districts = {d.name.zh: d.id for d in dataset.districts}
        for name, district in districts.items():
            # A district named alone stands for its government, or its one department.
            own = [d for d in dataset.departments if d.district == district
                   and str(d.level) == "district"]
            if len(own) == 1 or (own := [d for d in own if d.name.zh.endswith("人民政府")]):
                by_name.setdefault(name, own[0].id)
        words = sorted(by_name, key=len, reverse=True)
        pattern = re.compile("|".join(map(re.escape, words))) if words else None
        programs_by_metric: dict[str, set[str]] = {}
        reporting = {p.id: {p.lead} for p in dataset.programs}
        for figure in dataset.figures:
            programs_by_metric.setdefault(figure.metric, set()).add(figure.program)
            reporting.setdefault(figure.program, set()).add(figure.department)
        return cls(dataset, pattern, by_name, districts,
                   {p.id: _program_names(p) for p in dataset.programs}, programs_by_metric,
                   reporting, {p.id: p.lead for p in dataset.programs})

    def departments_in(self, text: str) -> list[tuple[int, str]]:
        """Where the text names a department of the catalogue (or a district standing for
        one), left to right."""
        if self.department_pattern is None:
            return []
        return [(m.start(), self.department_by_name[m[0]])
                for m in self.department_pattern.finditer(text)]

    def unknown_units_in(self, text: str) -> list[tuple[int, str]]:
        """Counties and districts the text names that the catalogue does not hold, with the
        department of theirs it names (安化县民政局), left to right."""
        found = []
        for m in _PLACE.finditer(text):
            place = m[0]
            if (place in self.district_names or place[0] in _NOT_PLACE_START
                    or place[-2] in _NOT_PLACE_LAST
                    or _inside_a_name(self, text, m.start(), m.end())):
                continue
            unit = _UNIT_SUFFIX.match(text, m.end())
            found.append((m.start(), place + (unit[0] if unit else "")))
        return found

    def metric_for(self, quantity: Quantity,
                   context: Context) -> tuple[str | None, float, str, bool]:
        """The metric whose label or synonym fits best, its confidence, the word that fit and
        whether its unit only nearly fits (人 for 人次)."""
        dimension = UNITS[quantity.unit].dimension
        if _NEGATED_WORD.search(context.near):
            return None, 0.0, "", False  # 待整改问题数: pending, no metric of the catalogue
        best: tuple[float, int, str, str, bool] = (0.0, 0, "", "", False)
        for metric in self.dataset.metrics:
            factor = 1.0 if metric.dimension == dimension else _NEAR_DIMENSIONS.get(
                (dimension, metric.dimension), 0.0)
            if not factor:
                continue
            for term in [metric.label.zh, *metric.synonyms]:
                if len(term) < 2:  # one character (省, 期) only right before the figure
                    score = factor * (term in context.lead)
                else:
                    score = _term_score(term, context.near, context.sentence) * factor
                best = max(best, (score, len(term), metric.id, term, factor < 1))
        score, _, metric_id, term, near_unit = best
        if score < _MIN_CONFIDENCE:
            return None, 0.0, "", False
        return metric_id, round(score, 2), term, near_unit


def _inside_a_name(catalogue: Catalogue, text: str, start: int, end: int) -> bool:
    """A place-like word inside a catalogue name (芦淞区人民政府, 市政工程中心区…)."""
    if catalogue.department_pattern is None:
        return False
    low = max(0, start - 12)
    return any(low + m.start() < end and start < low + m.end()
               for m in catalogue.department_pattern.finditer(text[low:end + 12]))


# --- one report against the catalogue -----------------------------------------------------

def sections(text: str, deepest: int) -> list[tuple[int, int]]:
    """Articles or chapters: a Markdown heading (or a Word heading) down to `deepest` starts one."""
    starts = [0] + [m.start() for m in re.finditer(rf"(?m)^#{{1,{deepest}}} ", text)]
    return [(a, b) for a, b in zip(starts, [*starts[1:], len(text)]) if b > a]


@dataclass(frozen=True)
class Match:
    program: str | None = None
    metric: str | None = None
    department: str | None = None
    confidence: dict[str, float] = field(
        default_factory=lambda: {"program": 0.0, "metric": 0.0, "department": 0.0})
    label: str = ""  # the catalogue's word where the text writes it next to the figure
    near_unit: bool = False  # the metric's unit only nearly fits (人 for 人次)
    unknown_unit: str = ""  # the unit named before the figure is not in the catalogue


class Matcher:
    """A report's text against the catalogue: its sections, articles and the names in them
    found once, each figure matched by looking up what stands around it."""

    def __init__(self, catalogue: Catalogue, text: str):
        self.catalogue, self.text = catalogue, text
        # A figure's own section first (### 小标题), then its article (## 标题).
        self.sections, self.articles = sections(text, 6), sections(text, 2)
        self._section_starts = [a for a, _ in self.sections]
        self._article_starts = [a for a, _ in self.articles]
        unknown = catalogue.unknown_units_in(text)
        held = bytearray(len(text))
        for pos, name in unknown:
            held[pos:pos + len(name)] = b"\x01" * len(name)
        # 安化县行政审批服务局 is not the catalogue's 行政审批服务局.
        known = [(pos, dept) for pos, dept in catalogue.departments_in(text) if not held[pos]]
        self.unknown = list(dict.fromkeys(name for _, name in unknown))
        # Every unit named, in order: a catalogue department id, or None for an unknown one.
        self.mentions = sorted([(pos, dept, "") for pos, dept in known]
                               + [(pos, None, name) for pos, name in unknown],
                               key=lambda m: m[0])
        self._mention_starts = [m[0] for m in self.mentions]
        self._named: dict[tuple[int, int], tuple[set[str], set[str]]] = {}

    def _in(self, place: tuple[int, int]) -> tuple[set[str], set[str]]:
        """The programs a section names and the departments it mentions, found once."""
        if place not in self._named:
            a, b = place
            programs = {pid for pid, names in self.catalogue.program_names.items()
                        if any(self.text.find(n, a, b) >= 0 for n in names)}
            low = bisect.bisect_left(self._mention_starts, a)
            high = bisect.bisect_left(self._mention_starts, b)
            departments = {d for _, d, _ in self.mentions[low:high] if d}
            self._named[place] = (programs, departments)
        return self._named[place]

    def _program_for(self, metric: str | None, metric_conf: float,
                     place: tuple[int, int]) -> tuple[str | None, float]:
        """Program by its name in the article (0.5), its lead or a department reporting its
        figures (0.25) or another of its departments (0.1) named there, and the metric among its
        figures (0.3 × the metric's confidence)."""
        named_programs, mentioned = self._in(place)
        catalogue = self.catalogue
        best: tuple[float, str] = (0.0, "")
        for program in catalogue.dataset.programs:
            score = 0.0
            if metric and program.id in catalogue.programs_by_metric.get(metric, set()):
                score += 0.3 * metric_conf
            if program.id in named_programs:
                score += 0.5
            if mentioned & catalogue.reporting[program.id]:
                score += 0.25
            elif mentioned & set(program.participants):
                score += 0.1
            if round(score, 2) > best[0]:
                best = (round(score, 2), program.id)
        # A metric alone does not make a program: the article must name it or its departments.
        return (best[1], best[0]) if best[0] >= 0.45 else (None, 0.0)

    def _department_for(self, start: int,
                        article: tuple[int, int]) -> tuple[str | None, float, str]:
        """The unit named nearest before the figure, in its sentence, paragraph or article;
        an unknown unit (安化县) gives no department and its name."""
        text = self.text
        sentence_start, sentence_end = bounds(text, start, start, SENTENCE_END)
        paragraph_start = text.rfind("\n\n", max(0, start - 4000), start) + 1
        low = bisect.bisect_left(self._mention_starts, article[0])
        high = bisect.bisect_left(self._mention_starts, start)
        if high > low:
            pos, dept, unknown = self.mentions[high - 1]
            confidence = 0.8 if pos >= sentence_start else 0.6 if pos >= paragraph_start else 0.45
            if dept is None:
                return None, 0.0, unknown if confidence >= 0.6 else ""
            return dept, confidence, ""
        after = high
        if after < len(self.mentions) and self.mentions[after][0] < sentence_end:
            _, dept, unknown = self.mentions[after]
            return (dept, 0.5, "") if dept else (None, 0.0, unknown)
        return None, 0.0, ""

    def match(self, start: int, quantity: Quantity, context: Context) -> Match:
        """Metric by the words around the figure; program by its section, else its article;
        department by the names before it, else the program's lead."""
        catalogue = self.catalogue
        metric, metric_conf, term, near_unit = catalogue.metric_for(quantity, context)
        section = self.sections[bisect.bisect_right(self._section_starts, start) - 1]
        article = self.articles[bisect.bisect_right(self._article_starts, start) - 1]
        program, program_conf = None, 0.0
        for place in dict.fromkeys((section, article)):
            program, program_conf = self._program_for(metric, metric_conf, place)
            if program:
                break
        department, department_conf, unknown = self._department_for(start, article)
        if program is not None and department_conf < 0.6 and not unknown:
            # Named only somewhere in the article, or not at all: the program's lead is likelier.
            department, department_conf = catalogue.leads[program], max(department_conf, 0.3)
        return Match(program, metric, department,
                     {"program": program_conf, "metric": metric_conf,
                      "department": department_conf},
                     term if len(term) >= 2 and term in context.near else "",
                     near_unit, unknown)
