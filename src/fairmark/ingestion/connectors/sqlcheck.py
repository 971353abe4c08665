"""Is this SQL a single read query? The first line of defence of the SQL connector. Pure.

    check_query("SELECT line_code, output FROM production_daily")       # []
    check_query("DELETE FROM production_daily")         # [ConnectorProblem('not_a_select', {'keyword': 'DELETE'})]
    check_query("SELECT 1; DROP TABLE t")               # [ConnectorProblem('several_statements'), …('forbidden_keyword')]
    strip_query(" SELECT 1 ; -- done ")                                 # 'SELECT 1'

The query is scanned once, skipping quoted text, quoted identifiers, comments and PostgreSQL dollar quotes, so a
keyword inside 'text' or "a column" is not mistaken for one. It must start with SELECT or WITH, hold no `;`
except at the very end, and contain none of the words that write (INSERT, UPDATE, DELETE, MERGE, INTO, DDL),
at any depth: PostgreSQL runs a data-modifying statement inside WITH, and MySQL's SELECT … INTO OUTFILE writes
a file. MySQL's executable comments (/*! … */) are refused: the server runs what is inside them.

This is not the guarantee: the connector also reads in a read-only transaction, which stops writes on
PostgreSQL, but MariaDB commits DDL implicitly, ending that transaction. The account the connector uses should
be granted SELECT only (see docs); the check gives a clear message before anything is sent."""

from __future__ import annotations

import re

from .messages import ConnectorProblem

# Words that write, refused anywhere outside quotes and comments. LOAD, LOCK, SET, COMMENT are not here: they
# are plausible column names ("load" of a machine) and cannot write from inside a SELECT.
FORBIDDEN: frozenset[str] = frozenset({
    "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "INTO", "TRUNCATE", "DROP", "ALTER", "CREATE", "GRANT",
    "REVOKE",
})
STARTS: frozenset[str] = frozenset({"SELECT", "WITH"})
MAX_QUERY = 100_000

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_SPACE = " \t\r\n\f"


class _Scan:
    """The words of a query outside quotes and comments, where a top-level `;` is, and what was left open."""

    def __init__(self, query: str, mysql: bool) -> None:
        self.words: list[str] = []
        self.semicolon: int | None = None  # the first `;`
        self.after_semicolon = False  # anything but space and comments after it
        self.unterminated: str | None = None
        self.executable_comment = False
        self._run(query, mysql)

    def _run(self, query: str, mysql: bool) -> None:
        i, n = 0, len(query)
        while i < n:
            c = query[i]
            if c in _SPACE:
                i += 1
                continue
            if (c == "-" and query.startswith("--", i) and (not mysql or query[i + 2:i + 3] in ("", *_SPACE))) or (
                    mysql and c == "#"):  # MySQL: "--" starts a comment only before a space (1--1 is 1 - -1)
                end = query.find("\n", i)
                i = n if end < 0 else end + 1
                continue
            if c == "/" and query.startswith("/*", i):
                if mysql and query.startswith("/*!", i):
                    self.executable_comment = True
                i = self._block_comment(query, i, nested=not mysql)
                continue
            if self.semicolon is not None:
                self.after_semicolon = True
            if c in "'\"`":
                text = c == "'" or (mysql and c == '"')  # MySQL's "…" is text too (unless ANSI_QUOTES)
                escape_string = c == "'" and query[i - 1:i] in ("e", "E") and not query[i - 2:i - 1].isalnum()
                i = self._quoted(query, i, c, backslash=text and (mysql or escape_string), text=text)
            elif c == "$" and not mysql and (match := _DOLLAR.match(query, i)):
                end = query.find(match[0], match.end())
                if end < 0:
                    self.unterminated = "dollar"
                    return
                i = end + len(match[0])
            elif c == ";":
                if self.semicolon is None:
                    self.semicolon = i
                i += 1
            elif match := _WORD.match(query, i):
                self.words.append(match[0].upper())
                i = match.end()
            else:
                i += 1

    def _block_comment(self, query: str, start: int, *, nested: bool) -> int:
        depth, i = 0, start
        while i < len(query):
            if query.startswith("/*", i):
                depth = depth + 1 if nested or depth == 0 else depth
                i += 2
            elif query.startswith("*/", i):
                depth -= 1
                i += 2
                if depth == 0:
                    return i
            else:
                i += 1
        self.unterminated = "comment"
        return len(query)

    def _quoted(self, query: str, start: int, quote: str, *, backslash: bool, text: bool) -> int:
        i = start + 1
        while i < len(query):
            c = query[i]
            if backslash and c == "\\":
                i += 2
            elif c == quote:
                if query.startswith(quote * 2, i):  # doubled: the quote itself
                    i += 2
                else:
                    return i + 1
            else:
                i += 1
        self.unterminated = "text" if text else "identifier"
        return len(query)


_UNTERMINATED_NAMES = {"text": ("quoted text", "引号文本"), "identifier": ("quoted name", "带引号的名称"),
                       "comment": ("comment", "注释"), "dollar": ("dollar-quoted text", "美元符号引用文本")}


def check_query(query: str, *, dialect: str | None = None) -> list[ConnectorProblem]:
    """The problems of a query for a pull: [] when it is a single SELECT (or WITH … SELECT). `dialect`
    "mysql" reads backslash escapes in quotes, # comments and backticks as MySQL/MariaDB do."""
    if not query.strip():
        return [ConnectorProblem("empty_query")]
    if len(query) > MAX_QUERY:
        return [ConnectorProblem("bad_setting", {"setting": "query", "value": f"> {MAX_QUERY} characters"})]
    scan = _Scan(query, mysql=dialect == "mysql")
    if scan.unterminated:
        english, chinese = _UNTERMINATED_NAMES[scan.unterminated]
        return [ConnectorProblem("unterminated", {"what": english, "what_zh": chinese})]
    problems: list[ConnectorProblem] = []
    if scan.executable_comment:
        problems.append(ConnectorProblem("forbidden_keyword", {"keyword": "/*!"}))
    if scan.after_semicolon:
        problems.append(ConnectorProblem("several_statements"))
    words = dict.fromkeys(scan.words)
    if not scan.words or scan.words[0] not in STARTS:
        problems.append(ConnectorProblem("not_a_select", {"keyword": scan.words[0] if scan.words else "("}))
        words.pop(scan.words[0] if scan.words else "", None)  # said once is enough
    for word in words:
        if word in FORBIDDEN:
            problems.append(ConnectorProblem("forbidden_keyword", {"keyword": word}))
    return problems


def strip_query(query: str, *, dialect: str | None = None) -> str:
    """The query without surrounding space and without a final `;` (and anything after it but comments), as
    it is wrapped into SELECT * FROM (…) AS q."""
    scan = _Scan(query, mysql=dialect == "mysql")
    if scan.semicolon is not None and not scan.after_semicolon:
        query = query[:scan.semicolon]
    return query.strip()
