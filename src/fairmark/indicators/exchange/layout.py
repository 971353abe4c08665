"""The layout of a template workbook: its sheets, the fields of the "Template" sheet and the columns of the
"Items" sheet, each with its English and Chinese header (and other headers people write). Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

EN = "en"
ZH = "zh-hans"


def is_chinese(language: str | None) -> bool:
    return (language or "").lower().replace("_", "-").startswith("zh")


@dataclass(frozen=True)
class Label:
    key: str
    en: str
    zh: str
    aliases: tuple[str, ...] = ()

    def text(self, language: str | None) -> str:
        return self.zh if is_chinese(language) else self.en

    def names(self) -> Iterable[str]:
        return (self.key, self.en, self.zh, *self.aliases)


# The sheets, by key. The reader finds them by either name.
SHEETS: dict[str, Label] = {
    "template": Label("template", "Template", "方案", ("考核方案",)),
    "items": Label("items", "Items", "考核项", ("考核项目", "项目")),
    "instructions": Label("instructions", "Instructions", "说明", ("填写说明",)),
}

# The "Template" sheet: one field per row, its name in column A and its value in column B (column C is help).
FIELD_HEADER = Label("field", "Field", "字段", ("项目", "名称"))
VALUE_HEADER = Label("value", "Value", "值", ("内容", "取值"))
HELP_HEADER = Label("help", "Notes", "说明", ("help",))
FIELDS: tuple[Label, ...] = (
    Label("code", "Code", "方案编码", ("template code", "编码", "方案代码")),
    Label("name_zh", "Name (Chinese)", "中文名称", ("chinese name", "name zh", "名称", "方案名称")),
    Label("name_en", "Name (English)", "英文名称", ("english name", "name en", "英文名")),
    Label("period", "Period", "考核周期", ("review period", "周期")),
    Label("missing_rule", "Missing parts", "缺项规则", ("missing rule", "缺项处理")),
    Label("job_families", "Applies to job families", "适用职族", ("job families", "职族", "职位族")),
    Label("positions", "Applies to positions", "适用岗位", ("positions", "岗位")),
    Label("levels", "Applies to levels", "适用职级", ("levels", "职级")),
    Label("note", "Change note", "变更说明", ("note", "备注")),
)
REQUIRED_FIELDS = ("code", "name_zh", "period", "missing_rule")
APPLIES_TO = ("job_families", "positions", "levels")

# The "Items" sheet: one row per item; the section columns repeat on every row of the section.
COLUMNS: tuple[Label, ...] = (
    Label("section_key", "Section key", "分组编码", ("section", "section code", "分组", "分组代码")),
    Label("section_name_zh", "Section name (Chinese)", "分组中文名", ("section name", "分组名称")),
    Label("section_name_en", "Section name (English)", "分组英文名", ("section english name",)),
    Label("section_weight", "Section weight (%)", "分组权重(%)", ("section weight", "分组权重")),
    Label("kind", "Item kind", "项目类型", ("kind", "type", "类型")),
    Label("indicator", "Indicator code", "指标编码", ("indicator", "指标代码")),
    Label("name_zh", "Item name (Chinese)", "考核项中文名", ("item name", "name zh", "考核项名称")),
    Label("name_en", "Item name (English)", "考核项英文名", ("item english name", "name en")),
    Label("weight", "Weight (%)", "权重(%)", ("item weight", "权重")),
    Label("rater_groups", "Rater groups", "评价人权重", ("raters", "rater group weights", "评价人", "评价组")),
    Label("cap", "Adjustment cap (points)", "加减分上限(分)", ("cap", "adjustment cap", "加减分上限")),
    Label("veto_trigger", "Veto condition", "否决条件", ("veto trigger", "trigger")),
    Label("veto_effect", "Veto effect", "否决方式", ("effect",)),
    Label("veto_grade", "Veto grade", "否决等级", ("grade",)),
)
# Written for the reader's convenience and ignored on import.
HELPER_COLUMNS: tuple[Label, ...] = (
    Label("indicator_name", "Indicator name (for reference)", "指标名称(仅供参考)",
          ("indicator name", "指标名称")),
)
REQUIRED_COLUMNS = ("section_key", "kind")

KINDS: dict[str, Label] = {
    "indicator": Label("indicator", "indicator", "指标", ("indicator item", "定量指标", "kpi")),
    "rated": Label("rated", "rated", "评分项", ("rated item", "rating", "评分", "定性指标")),
    "okr": Label("okr", "okr", "OKR", ("okr slot",)),
    "adjustment": Label("adjustment", "adjustment", "加减分", ("bonus", "adjust")),
    "veto": Label("veto", "veto", "一票否决", ("否决",)),
}
WEIGHTED_KINDS = ("indicator", "rated", "okr")
RATER_GROUPS: dict[str, Label] = {
    "self": Label("self", "self", "自评", ("自己", "本人")),
    "manager": Label("manager", "manager", "上级", ("直接上级", "主管")),
    "peer": Label("peer", "peer", "同事", ("peers", "同级")),
    "subordinate": Label("subordinate", "subordinate", "下属", ("subordinates",)),
    "n_plus_2": Label("n_plus_2", "n_plus_2", "隔级上级", ("n+2", "上上级")),
}
PERIODS: dict[str, Label] = {
    "month": Label("month", "month", "月度", ("monthly", "月")),
    "quarter": Label("quarter", "quarter", "季度", ("quarterly", "季")),
    "half_year": Label("half_year", "half_year", "半年度", ("half-yearly", "half year", "半年")),
    "year": Label("year", "year", "年度", ("yearly", "annual", "年")),
}
MISSING_RULES: dict[str, Label] = {
    "reweight": Label("reweight", "reweight", "重新分配权重", ("re-weight", "按实际项重算")),
    "zero": Label("zero", "zero", "计为零分", ("0", "零分")),
}
VETO_EFFECTS: dict[str, Label] = {
    "grade": Label("grade", "grade", "指定等级", ("set grade",)),
    "total_zero": Label("total_zero", "total_zero", "总分归零", ("zero", "总分为零")),
}

_NOISE = re.compile(r"[\s_*＊:：\-()（）%％]+")  # "权重(%)" → "权重", "Name (English)" → "nameenglish"


def normalise(text: object) -> str:
    return _NOISE.sub("", "" if text is None else str(text)).lower()


def index(labels: Iterable[Label]) -> dict[str, Label]:
    found: dict[str, Label] = {}
    for label in labels:
        for name in label.names():
            found.setdefault(normalise(name), label)
    return found


def sheet_name(key: str, language: str | None) -> str:
    label = SHEETS.get(key)
    return label.text(language) if label else key


def column_label(sheet: str, key: str, language: str | None) -> str:
    """The header of a column of the Items sheet, or the name of a field of the Template sheet."""
    labels = FIELDS if sheet == "template" else (*COLUMNS, *HELPER_COLUMNS)
    for label in labels:
        if label.key == key:
            return label.text(language)
    return key
