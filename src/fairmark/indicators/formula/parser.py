"""The parser: tokens → a program in postfix order (each instruction after its operands).

Recursive descent, one function per precedence level (docs/formulas.md has the grammar). It recurses only
into brackets, function arguments and unary minus, and counts those levels, so MAX_DEPTH bounds the Python
stack and no input can raise RecursionError; chains like a + b + c are loops. Instructions are emitted the
moment their operands are complete, so the program *is* the evaluation order the explanation shows, and
nothing downstream (evaluation, rendering, equality) needs to recurse at all."""

from __future__ import annotations

from typing import NamedTuple

from .errors import FUNCTION_NAMES, FormulaError
from .tokens import COMMA, EOF, LPAREN, NAME, NUM, OP, RPAREN, Token, tokenize

MAX_DEPTH = 32
MAX_NODES = 500
MAX_ROUND_DIGITS = 10

AGGREGATES = ("sum", "avg", "count", "last", "min", "max")
COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})
ARITHMETIC = frozenset({"+", "-", "*", "/"})
# function → (fewest, most) arguments; None: no upper bound
_ARITY: dict[str, tuple[int, int | None]] = {
    "if": (3, 3), "abs": (1, 1), "div": (3, 3), "round": (1, 2), "min": (2, None), "max": (2, None),
    "sum": (1, 1), "avg": (1, 1), "count": (1, 1), "last": (1, 1),
}
_OPERAND_START = frozenset({NUM, NAME, LPAREN})


class Instr(NamedTuple):
    """One node of the formula. op is "num" (arg: the value), "metric" (arg: the name; a bare metric, which
    evaluation aggregates with the default aggregate), "agg" (arg: (function, metric)), "neg", a binary
    operator ("+", "<=", ...), "if", "abs", "div", "min"/"max" (arg: how many values), or "round" (arg: the
    number of decimals). position is where the node starts in the text (for an aggregate, where its metric
    name is, which is what "unknown metric" points at); it only places errors and is not part of equality."""

    op: str
    arg: object
    position: int

    @property
    def key(self) -> tuple[str, object]:
        return (self.op, self.arg)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.program: list[Instr] = []

    # -- helpers -------------------------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != EOF:
            self.index += 1
        return token

    def emit(self, op: str, arg: object, position: int) -> None:
        if len(self.program) >= MAX_NODES:
            raise FormulaError("too_many_nodes", position, {"max": MAX_NODES})
        self.program.append(Instr(op, arg, position))

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError("too_deep", token.position, {"max": MAX_DEPTH})

    def leave(self) -> None:
        self.depth -= 1

    def unexpected(self, opening: Token | None = None) -> FormulaError:
        """The error for a token that cannot come here, worded for the likeliest mistake."""
        token = self.token
        if token.kind == EOF:
            if opening is not None:
                return FormulaError("unclosed_paren", opening.position)
            return FormulaError("unexpected_end", token.position)
        if token.kind in _OPERAND_START and self.program:
            return FormulaError("missing_operator", token.position, {"token": token.text})
        return FormulaError("unexpected_token", token.position, {"token": token.text})

    # -- grammar -------------------------------------------------------------------------------------------
    def formula(self) -> list[Instr]:
        if self.token.kind == EOF:
            raise FormulaError("empty", 0)
        self.comparison()
        if self.token.kind != EOF:
            raise self.unexpected()
        return self.program

    def comparison(self) -> None:
        self.additive()
        if self.token.kind == OP and self.token.text in COMPARISONS:
            operator = self.advance()
            self.additive()
            self.emit(operator.text, None, operator.position)
            if self.token.kind == OP and self.token.text in COMPARISONS:
                # a < b < c means something different in every language; refuse it rather than guess
                raise FormulaError("chained_comparison", self.token.position)

    def additive(self) -> None:
        self.term()
        while self.token.kind == OP and self.token.text in "+-":
            operator = self.advance()
            self.term()
            self.emit(operator.text, None, operator.position)

    def term(self) -> None:
        self.unary()
        while self.token.kind == OP and self.token.text in "*/":
            operator = self.advance()
            self.unary()
            self.emit(operator.text, None, operator.position)

    def unary(self) -> None:
        if self.token.kind == OP and self.token.text == "-":
            minus = self.advance()
            self.enter(minus)
            self.unary()
            self.leave()
            self.emit("neg", None, minus.position)
        else:
            self.primary()

    def primary(self) -> None:
        token = self.token
        if token.kind == NUM:
            self.advance()
            self.emit("num", token.value, token.position)
        elif token.kind == NAME:
            self.advance()
            lowered = token.text.lower()
            if lowered in _ARITY:
                if self.token.kind != LPAREN:
                    raise FormulaError("function_needs_paren", token.position, {"name": lowered})
                self.call(token, lowered)
            elif self.token.kind == LPAREN:
                raise FormulaError("unknown_function", token.position, {"name": token.text})
            else:
                self.emit("metric", token.text, token.position)
        elif token.kind == LPAREN:
            self.advance()
            self.enter(token)
            self.comparison()
            if self.token.kind != RPAREN:
                raise self.unexpected(opening=token)
            self.advance()
            self.leave()
        else:
            raise self.unexpected()

    def call(self, name: Token, function: str) -> None:
        opening = self.advance()
        self.enter(opening)
        spans: list[int] = []  # where each argument's instructions start in the program
        starts: list[int] = []  # and where each argument starts in the text, for errors about it
        if self.token.kind != RPAREN:
            while True:
                spans.append(len(self.program))
                starts.append(self.token.position)
                self.comparison()
                if self.token.kind == COMMA:
                    self.advance()
                    continue
                if self.token.kind != RPAREN:
                    raise self.unexpected(opening=opening)
                break
        self.advance()
        self.leave()
        self.finish_call(name, function, spans, starts)

    def finish_call(self, name: Token, function: str, spans: list[int], starts: list[int]) -> None:
        count = len(spans)
        single = self.program[spans[0]] if count == 1 and len(self.program) - spans[0] == 1 else None
        if function in ("min", "max") and count < 2:
            # one bare metric name: the smallest/largest value of that metric over the period
            if single is None or single.op != "metric":
                raise FormulaError("min_max_single", name.position, {"name": function})
            self.program[-1] = Instr("agg", (function, single.arg), single.position)
            return
        low, high = _ARITY[function]
        if count < low or (high is not None and count > high):
            raise FormulaError("wrong_arg_count", name.position,
                               {"name": function, "min": low, "max": high, "got": count})
        if function in ("min", "max"):
            self.emit(function, count, name.position)
        elif function in AGGREGATES:
            if single is None or single.op != "metric":
                raise FormulaError("aggregate_needs_metric", starts[0], {"name": function})
            self.program[-1] = Instr("agg", (function, single.arg), single.position)
        elif function == "round":
            self.finish_round(name, spans, starts)
        else:
            self.emit(function, None, name.position)

    def finish_round(self, name: Token, spans: list[int], starts: list[int]) -> None:
        digits = 0
        if len(spans) == 2:
            # the number of decimals is a literal so evaluation can round a whole column at once
            last = self.program[spans[1]]
            literal = len(self.program) - spans[1] == 1 and last.op == "num"
            value = last.arg if literal and isinstance(last.arg, float) else -1.0
            if not (literal and value.is_integer() and 0 <= value <= MAX_ROUND_DIGITS):
                raise FormulaError("round_digits", starts[1], {"max": MAX_ROUND_DIGITS})
            digits = int(value)
            del self.program[spans[1]:]
        self.emit("round", digits, name.position)


def parse_program(text: str) -> tuple[Instr, ...]:
    if not isinstance(text, str):
        raise FormulaError("empty", 0)
    return tuple(_Parser(text).formula())


__all__ = ["AGGREGATES", "ARITHMETIC", "COMPARISONS", "FUNCTION_NAMES", "MAX_DEPTH", "MAX_NODES", "Instr",
           "parse_program"]
