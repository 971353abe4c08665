"""What connectors report, in English and Simplified Chinese: the problem and result types and their sentences.

    problem = ConnectorProblem("forbidden_keyword", {"keyword": "DELETE"})
    problem.message("zh-hans")                  # '查询中含有 DELETE：只允许只读查询（SELECT）。如果这是列名，…'
    raise ConnectorError("http_status", {"status": 500, "reason": "Internal Server Error", "page": 1})
    ConnectionResult(True, "ok", {"columns": ["line_code", "output"]}).message("en")

Like the rest of ingestion these carry a code and JSON-safe params, never text, so a run's outcome stored in the
database reads in either language. Params never hold a password or a header value: the connectors leave them out
and `scrub` removes them from the one kind of param that quotes a driver or server (`detail`). The sentences are
rendered by `quality.messages.render`, shared with the rest of ingestion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..quality.messages import normalise_language, render
from ..rows.messages import EN, ZH

__all__ = ["EN", "MESSAGES", "ZH", "ConnectionResult", "ConnectorError", "ConnectorProblem", "scrub"]

# code → (English, 简体中文); a code with variants (chosen by `_variant`) has them as code.variant
MESSAGES: dict[str, tuple[str, str]] = {
    # the SQL query as written
    "empty_query": ("The query is empty: write a SELECT statement.", "查询为空：请填写 SELECT 语句。"),
    "several_statements": ("The query holds more than one statement (a “;” inside it): write a single SELECT.",
                           "查询中含有多条语句（中间有“;”）：只能填写一条 SELECT 语句。"),
    "not_a_select": ("The query starts with {keyword}: only a read query (SELECT or WITH … SELECT) is allowed.",
                     "查询以 {keyword} 开头：只允许只读查询（SELECT 或 WITH … SELECT）。"),
    "forbidden_keyword": ("The query contains {keyword}: only a read query (SELECT) is allowed. If it is a column "
                          "name, put it in quotes.",
                          "查询中含有 {keyword}：只允许只读查询（SELECT）。如果这是列名，请加上引号。"),
    "unterminated": ("The query has an unclosed {what}.", "查询中有未闭合的{what_zh}。"),
    # settings
    "bad_setting": ("The setting {setting} is not valid: {value}.", "设置项 {setting} 无效：{value}。"),
    "bad_path": ("The JSON path {path} of {setting} cannot be read: write names separated by dots, such as "
                 "data.items or values[0].v.",
                 "{setting} 的 JSON 路径 {path} 无法识别：请用点分隔的名称，如 data.items 或 values[0].v。"),
    "bad_url": ("The address must start with http:// or https://.", "地址必须以 http:// 或 https:// 开头。"),
    # connecting
    "ok": ("Connected.", "连接成功。"),
    "ok.columns": ("Connected. The query returns the columns {columns}.", "连接成功。查询返回的列：{columns}。"),
    "ok.records": ("Connected. The first page holds {records} records with the fields {columns}.",
                   "连接成功。第一页共 {records} 条记录，字段：{columns}。"),
    "cannot_connect": ("Cannot reach {host}: {detail}.", "无法连接 {host}：{detail}。"),
    "auth_failed": ("The database refused the user name or password.", "数据库拒绝了该用户名或密码。"),
    "auth_failed.http": ("The service refused the credentials (HTTP {status}): check the headers, such as the token.",
                         "服务拒绝了凭据（HTTP {status}）：请检查请求头，例如令牌。"),
    "unknown_database": ("The database {database} does not exist on the server.", "服务器上不存在数据库 {database}。"),
    "timeout": ("No answer within {seconds} seconds.", "{seconds} 秒内没有响应。"),
    # the query against the source
    "bad_query": ("The database refused the query: {detail}.", "数据库拒绝执行该查询：{detail}。"),
    "read_only": ("The query tried to change data; connectors only read.", "查询试图修改数据；数据连接只允许读取。"),
    "no_watermark_column": ("The query has no column {column} for the watermark; its columns are {columns}.",
                            "查询结果中没有用作水位线的列 {column}；现有的列：{columns}。"),
    "bad_watermark": ("The watermark column {column} holds {type} values; use a date, time, whole number, decimal "
                      "or text column.",
                      "水位线列 {column} 的值类型为 {type}；请使用日期、时间、整数、小数或文本列。"),
    # REST answers
    "http_status": ("The service answered HTTP {status} {reason} (page {page}).",
                    "服务返回 HTTP {status} {reason}（第 {page} 页）。"),
    "not_json": ("The answer to page {page} is not JSON: {detail}.", "第 {page} 页的响应不是 JSON：{detail}。"),
    "too_large": ("The answer to page {page} is larger than {max_bytes} bytes.", "第 {page} 页的响应超过 {max_bytes} 字节。"),
    "records_missing": ("The answer to page {page} has nothing at {path}.", "第 {page} 页的响应中 {path} 处没有内容。"),
    "records_not_a_list": ("In the answer to page {page}, {path} is {got}, not a list of records.",
                           "第 {page} 页的响应中，{path} 是{got}，而不是记录列表。"),
    "record_not_an_object": ("Record {index} of page {page} is {got}, not an object.",
                             "第 {page} 页的第 {index} 条记录是{got}，而不是对象。"),
    "bad_next_link": ("The next-page link at {path} on page {page} is {got}, not an address.",
                      "第 {page} 页 {path} 处的下一页链接是{got}，而不是地址。"),
    "other_host": ("The service sent the reader to another host ({host}); credentials are only sent to the "
                   "configured address.",
                   "服务将请求转到另一个主机（{host}）；凭据只会发送到所配置的地址。"),
    "page_repeated": ("Page {page} repeats the previous one: the service seems to ignore the paging parameters.",
                      "第 {page} 页与上一页相同：服务似乎忽略了分页参数。"),
    # the pulling service's own (ingestion.services.pulling)
    "bad_mapping": ("The source's column mapping is not complete ({problems}): map its columns again.",
                    "该数据源的列映射不完整（{problems}）：请重新映射各列。"),
    "not_pulled": ("A source of the kind {kind} is not pulled: only SQL and REST sources are.",
                   "{kind} 类型的数据源不支持拉取：只有 SQL 和 REST 数据源可以拉取。"),
}

# JSON types as the REST messages name them
TYPE_NAMES: dict[str, tuple[str, str]] = {
    "null": ("null", "null"), "boolean": ("true or false", "布尔值"), "number": ("a number", "数字"),
    "text": ("text", "文本"), "array": ("a list", "列表"), "object": ("an object", "对象"),
}


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "number"


def _variant(code: str, params: Mapping[str, Any]) -> str:
    if code == "auth_failed" and "status" in params:
        return "auth_failed.http"
    if code == "ok" and "records" in params:
        return "ok.records"
    if code == "ok" and params.get("columns"):
        return "ok.columns"
    return code


def word(code: str, params: Mapping[str, Any], language: str) -> str:
    """The sentence of a connector code; a JSON type in `got` is named in the reader's language."""
    values = dict(params)
    if isinstance(values.get("got"), str) and values["got"] in TYPE_NAMES:
        values["got"] = TYPE_NAMES[values["got"]][normalise_language(language) == ZH]
    return render(MESSAGES, _variant(code, params), values, language)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (and each word of one, for "Bearer <token>") replaced by ***. Short words are
    left alone: "Bearer" or a 3-letter header value are not secrets, and hiding them would garble the text."""
    words = {secret for secret in secrets if secret}
    words |= {part for secret in list(words) for part in secret.split() if len(part) >= 6}
    for secret in sorted(words, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class ConnectorProblem:
    """A problem found before anything is sent (a query that is not a SELECT, a bad path)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str = EN) -> str:
        return word(self.code, self.params, language)


class ConnectorError(Exception):
    """A pull that failed: what the source or the network answered, as a code and params."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = dict(params or {})

    def message(self, language: str = EN) -> str:
        return word(self.code, self.params, language)

    def __repr__(self) -> str:
        return f"ConnectorError({self.code!r}, {self.params!r})"


@dataclass(frozen=True)
class ConnectionResult:
    """The answer of a connection test: ok with what was found (columns, records), or the reason it failed."""

    ok: bool
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str = EN) -> str:
        return word(self.code, self.params, language)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "code": self.code, "params": self.params,
                "message_en": self.message(EN), "message_zh_hans": self.message(ZH)}

    @classmethod
    def failed(cls, error: ConnectorError | ConnectorProblem) -> ConnectionResult:
        return cls(False, error.code, dict(error.params))
