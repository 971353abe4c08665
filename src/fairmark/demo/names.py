"""Realistic Chinese names, with the pinyin that work e-mail addresses are made of.

The surnames are the common ones, weighted roughly by how often they occur (王, 李, 张, 刘 and 陈
alone cover about a third of the population), so a list of 500 people looks like a real company's:
several 张伟, many 王 and 李, a few rare surnames. Everything is drawn from a seeded RNG so the
demo company is the same on every machine.
"""

from __future__ import annotations

import random

DEFAULT_SEED = 20190318  # the day the demo company was registered; any fixed value would do

# (surname, pinyin, weight ‰ of the population, approximately)
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 71), ("李", "li", 72), ("张", "zhang", 69), ("刘", "liu", 54), ("陈", "chen", 45),
    ("杨", "yang", 31), ("黄", "huang", 23), ("赵", "zhao", 22), ("吴", "wu", 20), ("周", "zhou", 19),
    ("徐", "xu", 13), ("孙", "sun", 12), ("马", "ma", 12), ("朱", "zhu", 11), ("胡", "hu", 10),
    ("郭", "guo", 10), ("何", "he", 9), ("高", "gao", 9), ("林", "lin", 9), ("罗", "luo", 8),
    ("郑", "zheng", 8), ("梁", "liang", 7), ("谢", "xie", 6), ("宋", "song", 6), ("唐", "tang", 6),
    ("许", "xu", 5), ("韩", "han", 5), ("冯", "feng", 5), ("邓", "deng", 5), ("曹", "cao", 5),
    ("彭", "peng", 5), ("曾", "zeng", 4), ("肖", "xiao", 4), ("田", "tian", 4), ("董", "dong", 4),
    ("袁", "yuan", 4), ("潘", "pan", 4), ("于", "yu", 3), ("蒋", "jiang", 3), ("蔡", "cai", 3),
    ("余", "yu", 3), ("杜", "du", 3), ("叶", "ye", 3), ("程", "cheng", 3), ("苏", "su", 3),
    ("魏", "wei", 3), ("吕", "lv", 3), ("丁", "ding", 3), ("任", "ren", 3), ("沈", "shen", 3),
    ("姚", "yao", 2), ("卢", "lu", 2), ("姜", "jiang", 2), ("崔", "cui", 2), ("钟", "zhong", 2),
    ("谭", "tan", 2), ("陆", "lu", 2), ("汪", "wang", 2), ("范", "fan", 2), ("金", "jin", 2),
    ("石", "shi", 2), ("廖", "liao", 2), ("贾", "jia", 2), ("夏", "xia", 2), ("韦", "wei", 2),
    ("方", "fang", 2), ("白", "bai", 2), ("邹", "zou", 2), ("孟", "meng", 2), ("熊", "xiong", 2),
    ("秦", "qin", 2), ("邱", "qiu", 2), ("江", "jiang", 2), ("尹", "yin", 2), ("薛", "xue", 1),
    ("段", "duan", 1), ("雷", "lei", 1), ("侯", "hou", 1), ("龙", "long", 1), ("史", "shi", 1),
    ("陶", "tao", 1), ("黎", "li", 1), ("贺", "he", 1), ("顾", "gu", 1), ("毛", "mao", 1),
    ("郝", "hao", 1), ("龚", "gong", 1), ("邵", "shao", 1), ("万", "wan", 1), ("钱", "qian", 1),
    ("严", "yan", 1), ("武", "wu", 1), ("戴", "dai", 1), ("孔", "kong", 1), ("汤", "tang", 1),
    ("欧阳", "ouyang", 0.5), ("上官", "shangguan", 0.2), ("司马", "sima", 0.2),
)

# Given-name characters: (character, pinyin). Names draw from the neutral pool plus the gendered one.
NEUTRAL: tuple[tuple[str, str], ...] = (
    ("文", "wen"), ("明", "ming"), ("华", "hua"), ("建", "jian"), ("晓", "xiao"), ("海", "hai"),
    ("平", "ping"), ("宇", "yu"), ("子", "zi"), ("嘉", "jia"), ("思", "si"), ("一", "yi"),
    ("天", "tian"), ("雨", "yu"), ("欣", "xin"), ("佳", "jia"), ("俊", "jun"), ("诗", "shi"),
    ("博", "bo"), ("安", "an"), ("清", "qing"), ("远", "yuan"), ("新", "xin"), ("春", "chun"),
    ("永", "yong"), ("晨", "chen"), ("阳", "yang"), ("立", "li"), ("泽", "ze"), ("若", "ruo"),
)
MALE: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("勇", "yong"), ("杰", "jie"),
    ("涛", "tao"), ("斌", "bin"), ("超", "chao"), ("鹏", "peng"), ("辉", "hui"), ("刚", "gang"),
    ("浩", "hao"), ("峰", "feng"), ("亮", "liang"), ("健", "jian"), ("凯", "kai"), ("志", "zhi"),
    ("国", "guo"), ("东", "dong"), ("林", "lin"), ("成", "cheng"), ("飞", "fei"), ("宏", "hong"),
    ("波", "bo"), ("鑫", "xin"), ("洋", "yang"), ("旭", "xu"), ("昊", "hao"), ("轩", "xuan"),
    ("彬", "bin"), ("龙", "long"), ("帆", "fan"), ("锋", "feng"), ("铭", "ming"), ("睿", "rui"),
)
FEMALE: tuple[tuple[str, str], ...] = (
    ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("艳", "yan"),
    ("娟", "juan"), ("霞", "xia"), ("玲", "ling"), ("婷", "ting"), ("雪", "xue"), ("慧", "hui"),
    ("莉", "li"), ("倩", "qian"), ("颖", "ying"), ("琳", "lin"), ("洁", "jie"), ("燕", "yan"),
    ("萍", "ping"), ("红", "hong"), ("梅", "mei"), ("兰", "lan"), ("蕾", "lei"), ("璐", "lu"),
    ("瑶", "yao"), ("怡", "yi"), ("悦", "yue"), ("蓉", "rong"), ("琪", "qi"), ("妍", "yan"),
)

_SURNAME_WEIGHTS = [weight for _, _, weight in SURNAMES]


class NameMaker:
    """Draws names from a seeded RNG and hands out unique e-mail local parts (zhangwei, zhangwei2, ...)."""

    def __init__(self, rng: random.Random, domain: str) -> None:
        self.rng = rng
        self.domain = domain
        self._used: dict[str, int] = {}

    def person(self) -> tuple[str, str]:
        """A (name, pinyin) pair such as ("张伟", "zhangwei")."""
        surname, surname_py, _weight = self.rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
        pool = NEUTRAL + (MALE if self.rng.random() < 0.55 else FEMALE)
        # About a quarter of people born since the 1980s have a one-character given name.
        length = 1 if self.rng.random() < 0.25 else 2
        chars = [self.rng.choice(pool) for _ in range(length)]
        if length == 2 and chars[0][0] == chars[1][0] and self.rng.random() < 0.7:
            chars[1] = self.rng.choice(pool)  # doubled names (婷婷) exist but are rarer than random draws give
        name = surname + "".join(c for c, _ in chars)
        pinyin = surname_py + "".join(p for _, p in chars)
        return name, pinyin

    def email(self, pinyin: str) -> str:
        count = self._used.get(pinyin, 0) + 1
        self._used[pinyin] = count
        local = pinyin if count == 1 else f"{pinyin}{count}"
        return f"{local}@{self.domain}"


CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (for 一线, 二组, ...; up to 99)."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十"))
    return text + (CN_DIGITS[ones] if ones else "")
