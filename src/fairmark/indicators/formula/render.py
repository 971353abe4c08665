"""Text for a program: the canonical form of a formula, and the text of every term in an explanation.

Both walk the postfix program with a stack (no recursion) and put brackets only where precedence needs them,
so that the canonical text parses back to the very same program."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, cast

from .parser import COMPARISONS, Instr

_COMPARE, _ADD, _MULTIPLY, _NEGATE, _ATOM = 1, 2, 3, 4, 5
_PRECEDENCE = {"+": _ADD, "-": _ADD, "*": _MULTIPLY, "/": _MULTIPLY} | dict.fromkeys(COMPARISONS, _COMPARE)


class Rendered(NamedTuple):
    text: str
    precedence: int
    constant: bool  # a number literal or a negated one: the explanation leaves these out


def number_text(value: float) -> str:
    """Shortest text that reads back as the same float: 95 not 95.0; repr keeps 0.1 as 0.1 and 1e-07 exact."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _wrap(item: Rendered, needs: bool) -> str:
    return f"({item.text})" if needs else item.text


def render(program: Sequence[Instr], aggregate: str | None = None) -> list[Rendered]:
    """The text of the sub-expression each instruction completes, in program order. With `aggregate`, a bare
    metric is written with the aggregate evaluation applies to it (sum(good_units) rather than good_units), so
    an explanation says what was actually computed; without it, bare metrics stay bare (canonical form)."""
    stack: list[Rendered] = []
    out: list[Rendered] = []
    for instr in program:
        op, arg = instr.op, instr.arg
        if op == "num":
            item = Rendered(number_text(float(arg)), _ATOM, True)  # type: ignore[arg-type]
        elif op == "metric":
            item = Rendered(f"{aggregate}({arg})" if aggregate else str(arg), _ATOM, False)
        elif op == "agg":
            function, metric = cast(tuple[str, str], arg)
            item = Rendered(f"{function}({metric})", _ATOM, False)
        elif op == "neg":
            operand = stack.pop()
            # -(-x) rather than --x, and brackets round any binary operation
            item = Rendered("-" + _wrap(operand, operand.precedence <= _NEGATE), _NEGATE, operand.constant)
        elif op in _PRECEDENCE:
            right, left = stack.pop(), stack.pop()
            level = _PRECEDENCE[op]
            # left-associative: a - (b - c) keeps its brackets, (a - b) - c does not need them; comparisons
            # do not chain, so a comparison operand of a comparison always gets brackets
            left_needs = left.precedence < level or (level == _COMPARE and left.precedence == _COMPARE)
            item = Rendered(f"{_wrap(left, left_needs)} {op} {_wrap(right, right.precedence <= level)}",
                            level, False)
        else:
            count = {"if": 3, "div": 3, "abs": 1, "round": 1}.get(op, arg if op in ("min", "max") else 0)
            args = [stack.pop() for _ in range(int(count))][::-1]  # type: ignore[call-overload]
            texts = [a.text for a in args]
            if op == "round":
                texts.append(str(arg))
            item = Rendered(f"{op}({', '.join(texts)})", _ATOM, False)
        stack.append(item)
        out.append(item)
    return out
