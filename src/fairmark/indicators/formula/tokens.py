"""The tokenizer: formula text → tokens, each with its 0-based character offset.

Written by hand (not Python's tokenize/ast) so that the language accepts exactly what docs/formulas.md says,
error positions are exact, and nothing the user types can ever reach the Python interpreter. It is one pass over
the text, so its time is linear in the length, which MAX_LENGTH bounds."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import FormulaError

MAX_LENGTH = 2000

NUM, NAME, OP, LPAREN, RPAREN, COMMA, EOF = "num", "name", "op", "(", ")", ",", "end"

_DIGITS = frozenset("0123456789")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_REST = _NAME_START | _DIGITS
# No-break and ideographic spaces count as spaces: text pasted from WeChat, Word or Excel is full of them.
_SPACES = frozenset(" \t\r\n\u00a0\u3000")
_TWO_CHAR_OPS = frozenset({"<=", ">=", "==", "!="})
_ONE_CHAR_OPS = frozenset("+-*/<>")

# Characters a Chinese input method produces in place of the ASCII ones; we name the one to type instead
# rather than silently accepting them, so the stored formula stays plain ASCII.
_FULLWIDTH = {
    "（": "(", "）": ")", "，": ",", "、": ",", "＋": "+", "－": "-", "−": "-", "–": "-", "—": "-", "＊": "*",
    "×": "*", "／": "/", "÷": "/", "＜": "<", "＞": ">", "＝": "=", "！": "!", "．": ".", "。": ".", "≤": "<=",
    "≥": ">=", "≠": "!=", "％": "%", "《": "<", "》": ">",
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    position: int
    value: float = 0.0


def _fullwidth_hint(char: str) -> str | None:
    if char in _FULLWIDTH:
        return _FULLWIDTH[char]
    code = ord(char)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A or code == 0xFF3F:
        return chr(code - 0xFEE0)  # full-width digits, letters and underscore map straight onto ASCII
    return None


def _number_end(text: str, start: int) -> int:
    """End offset of the number starting at `start`: digits [. digits] [e [+-] digits], or . digits."""
    i, n = start, len(text)
    while i < n and text[i] in _DIGITS:
        i += 1
    if i < n and text[i] == "." and i + 1 < n and text[i + 1] in _DIGITS:
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    if i < n and text[i] in "eE":
        # an exponent only if digits follow; otherwise "2e" is the number 2 followed by the name e, which the
        # parser reports as a missing operator
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j] in _DIGITS:
            i = j
            while i < n and text[i] in _DIGITS:
                i += 1
    return i


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise FormulaError("too_long", -1, {"length": len(text), "max": MAX_LENGTH})
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in _SPACES:
            i += 1
        elif char in _DIGITS or (char == "." and i + 1 < n and text[i + 1] in _DIGITS):
            end = _number_end(text, i)
            literal = text[i:end]
            value = float(literal)  # cannot fail: _number_end only accepts what float() reads
            if not math.isfinite(value):
                raise FormulaError("number_too_large", i, {"number": literal[:20]})
            tokens.append(Token(NUM, literal, i, value))
            i = end
        elif char in _NAME_START:
            end = i + 1
            while end < n and text[end] in _NAME_REST:
                end += 1
            tokens.append(Token(NAME, text[i:end], i))
            i = end
        elif text[i:i + 2] in _TWO_CHAR_OPS:
            tokens.append(Token(OP, text[i:i + 2], i))
            i += 2
        elif char in _ONE_CHAR_OPS:
            tokens.append(Token(OP, char, i))
            i += 1
        elif char in "(),":
            tokens.append(Token(char, char, i))
            i += 1
        else:
            raise _bad_character(text, i)
    tokens.append(Token(EOF, "", len(text.rstrip("".join(_SPACES)))))
    return tokens


def _bad_character(text: str, i: int) -> FormulaError:
    char = text[i]
    if char == "=":
        if not text[:i].strip("".join(_SPACES)):
            return FormulaError("leading_equals", i)
        return FormulaError("single_equals", i)
    if char == "%":
        return FormulaError("percent_sign", i)
    hint = _fullwidth_hint(char)
    if hint is not None:
        return FormulaError("fullwidth_char", i, {"char": char, "ascii": hint})
    if char.isalpha() or char.isdigit():
        return FormulaError("non_ascii_name", i, {"char": char})
    # show control and invisible characters by their code point, so the message points at something visible
    shown = char if char.isprintable() else f"U+{ord(char):04X}"
    return FormulaError("bad_character", i, {"char": shown})
