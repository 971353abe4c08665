"""A first guess at which column of an upload feeds which field, for the user to confirm or correct. Pure.

    guess = guess_mapping(["工号", "姓名", "日期", "产量(件)"], [MetricHint("output", ("产量", "Output"))])
    guess.fields        # {'subject': '工号', 'period': '日期'}
    guess.subject_type  # 'employee'
    guess.values        # {'output': '产量(件)'}
    guess.unmatched     # ['姓名']

Headers and names are compared by `match_key`: case, spaces, "_-.:*#", full-width forms and anything
in brackets (units: "产量(件)", "停机时长【分钟】") are ignored. Matching is exact on that key, never by
substring: "不良品数" contains "良品数", and a wrong guess is worse than none.

Fields are guessed in the order of SYNONYMS, then the long layout (a metric column and a value column, both
or neither), then one column per metric (the wide layout: a header equal to the metric's code or one of its
names). A header is used at most once. Among candidates for a field the earlier synonym wins, then the
leftmost header; the subject is the finest one present, since an operator's sheet also names the operator's
line and department. A person's name (姓名) is never the subject: names are not unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

# (field, subject type) → header names as business systems export them. Order matters: see the docstring.
SYNONYMS: dict[tuple[str, str | None], tuple[str, ...]] = {
    ("subject", "employee"): ("工号", "员工工号", "员工编号", "员工号", "职工号", "人员编号", "employee no",
                              "employee number", "employee id", "emp id", "emp no", "staff id", "staff no"),
    ("subject", "machine"): ("机台", "机台号", "机台编号", "设备", "设备编号", "设备号", "machine", "machine no",
                             "machine id", "equipment"),
    ("subject", "line"): ("产线", "产线编号", "生产线", "线别", "线体", "line", "line no", "line id",
                          "production line"),
    ("subject", "project"): ("项目", "项目编号", "项目号", "project", "project no", "project id", "project code"),
    ("subject", "department"): ("部门", "部门编号", "部门编码", "部门代码", "department", "dept", "department code"),
    ("period", None): ("日期", "统计日期", "生产日期", "日期/月份", "月份", "统计月份", "期间", "会计期间",
                       "date", "day", "month", "period"),
    ("at", None): ("时间", "时间戳", "日期时间", "采集时间", "timestamp", "datetime", "time"),
    ("row_key", None): ("记录号", "记录编号", "单号", "单据号", "编号", "流水号", "id", "record id", "record no",
                        "row key", "row id"),
    ("unit", None): ("单位", "计量单位", "unit", "uom"),
    ("metric", None): ("指标", "指标名称", "指标编码", "数据项", "数据项编码", "metric", "metric code", "indicator",
                       "kpi"),
    ("value", None): ("数值", "值", "指标值", "value"),
}

# The long layout needs both; either alone is left unmatched.
LONG_LAYOUT = ("metric", "value")

_BRACKETED = re.compile(r"[(\[{<【《〔][^)\]}>】》〕]*[)\]}>】》〕]")
_IGNORED = re.compile(r"[\s_\-.:*#]+")


@dataclass(frozen=True)
class MetricHint:
    """A metric the upload may carry: its code and the names it goes by, e.g. ("good_units", ("良品数", "Good units"))."""

    code: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guess:
    fields: dict[str, str] = field(default_factory=dict)  # field → header
    subject_type: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # metric code → header (wide layout)
    unmatched: list[str] = field(default_factory=list)  # in the order of the headers

    @property
    def layout(self) -> str:
        return "long" if "metric" in self.fields else "wide"


def match_key(text: str) -> str:
    """What a header or name is compared by: "产量（件）", "产量 (件)" and "产量" are all "产量"."""
    folded = unicodedata.normalize("NFKC", text).casefold()  # full-width （）ＡＢ１ → half-width
    return _IGNORED.sub("", _BRACKETED.sub("", folded))


class _Headers:
    def __init__(self, headers: Sequence[str]) -> None:
        self.headers = list(headers)
        self.keys = [match_key(header) for header in headers]
        self.used: set[int] = set()

    def find(self, names: Sequence[str]) -> int | None:
        """The position of the leftmost free header matching the earliest of `names`."""
        for name in names:
            key = match_key(name)
            for position, header_key in enumerate(self.keys):
                if key and header_key == key and position not in self.used:
                    return position
        return None

    def take(self, position: int) -> str:
        self.used.add(position)
        return self.headers[position]

    def free(self) -> list[int]:
        return [position for position in range(len(self.headers)) if position not in self.used]


def guess_mapping(headers: Sequence[str], metrics: Sequence[MetricHint]) -> Guess:
    available = _Headers(headers)
    fields: dict[str, str] = {}
    subject_type: str | None = None
    for (name, kind), synonyms in SYNONYMS.items():
        if name in fields or name in LONG_LAYOUT:
            continue
        position = available.find(synonyms)
        if position is not None:
            fields[name] = available.take(position)
            if name == "subject":
                subject_type = kind

    metric_at, value_at = available.find(SYNONYMS[("metric", None)]), available.find(SYNONYMS[("value", None)])
    if metric_at is not None and value_at is not None:
        fields["metric"], fields["value"] = available.take(metric_at), available.take(value_at)

    metric_keys = [(metric.code, {match_key(name) for name in (metric.code, *metric.names)} - {""})
                   for metric in metrics]
    values: dict[str, str] = {}
    for position in available.free():
        code = next((code for code, keys in metric_keys
                     if code not in values and available.keys[position] in keys), None)
        if code is not None:
            values[code] = available.take(position)

    unmatched = [available.headers[position] for position in available.free()]
    return Guess(fields=fields, subject_type=subject_type, values=values, unmatched=unmatched)
