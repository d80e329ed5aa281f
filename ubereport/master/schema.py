"""The master workbook's sheets: Japanese headers for people, identifiers for the code.

Every table has a key; rows are found by key, so a clerk may sort and filter freely. The 原文
(original text) columns are the truth: the parsed 数値/単位/比較 columns beside them are
recomputed from it on every save, so a hand edit goes into the 原文 column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    INT = "int"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    kind: Kind = Kind.TEXT
    width: float = 14


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    sheet: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    hidden: bool = False
    append_only: bool = False

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


T, N, INT = Kind.TEXT, Kind.NUMBER, Kind.INT


def _value_columns(prefix: str, label: str) -> tuple[Column, ...]:
    return (
        Column(f"{prefix}_text", f"{label}(原文)", T, 16),
        Column(f"{prefix}_value", f"{label}(数値)", N, 12),
        Column(f"{prefix}_unit", f"{label}(単位)", T, 9),
        Column(f"{prefix}_comparator", f"{label}(比較)", T, 8),
    )


PLANS = Table(
    "plans",
    "計画",
    ("plan_no",),
    (
        Column("plan_no", "計画No", T, 8),
        Column("plan_name", "アクションプラン名", T, 30),
        Column("policy", "基本方針", T, 24),
        Column("strategy", "戦略", T, 24),
        Column("level_3", "第3階層", T, 24),
        Column("lead_division", "主管課", T, 14),
        Column("related_divisions", "関係課", T, 20),
        Column("outcome", "アウトカム(実施目的)", T, 40),
        Column("situation", "現状・課題", T, 40),
        Column("plan_actions", "実施内容(計画期間全体)", T, 40),
        Column("related_plans", "関連計画等", T, 24),
        Column("submission_id", "最終提出ID", T, 14),
    ),
)
KPIS = Table(
    "kpis",
    "指標",
    ("plan_no", "kpi_no"),
    (
        Column("plan_no", "計画No", T, 8),
        Column("kpi_no", "指標No", INT, 7),
        Column("name", "指標名", T, 36),
        Column("note", "注記", T, 30),
        Column("unit", "単位", T, 8),
        Column("direction", "方向", T, 12),
        Column("baseline_label", "基準値見出し", T, 12),
        *_value_columns("baseline", "基準値"),
        Column("submission_id", "最終提出ID", T, 14),
    ),
)
KPI_VALUES = Table(
    "kpi_values",
    "指標値",
    ("plan_no", "kpi_no", "fiscal_year"),
    (
        Column("plan_no", "計画No", T, 8),
        Column("kpi_no", "指標No", INT, 7),
        Column("fiscal_year", "対象年度", T, 8),
        *_value_columns("target", "目標"),
        *_value_columns("actual", "実績"),
        Column("assessment", "所管課評価", T, 10),
        Column("assessment_reason", "評価理由", T, 30),
        Column("submission_id", "最終提出ID", T, 14),
    ),
)
INITIATIVES = Table(
    "initiatives",
    "取組",
    ("plan_no", "fiscal_year", "item_no"),
    (
        Column("plan_no", "計画No", T, 8),
        Column("fiscal_year", "報告年度", T, 8),
        Column("item_no", "番号", INT, 6),
        Column("text", "インプット(具体的な取組内容)", T, 40),
        Column("output", "アウトプット(事業量等)", T, 24),
        Column("output_result", "実績", T, 24),
        Column("submission_id", "最終提出ID", T, 14),
    ),
)
NARRATIVES = Table(
    "narratives",
    "報告",
    ("plan_no", "fiscal_year"),
    (
        Column("plan_no", "計画No", T, 8),
        Column("fiscal_year", "報告年度", T, 8),
        Column("achievements", "取組実績", T, 50),
        Column("shortfall_reason", "未達成の理由・改善策", T, 50),
        Column("next_actions", "次年度の取組", T, 50),
        Column("submission_id", "最終提出ID", T, 14),
    ),
)
SUBMISSIONS = Table(
    "submissions",
    "提出",
    ("submission_id",),
    (
        Column("submission_id", "提出ID", T, 14),
        Column("file_name", "ファイル名", T, 36),
        Column("sheet", "シート", T, 14),
        Column("sha256", "内容ハッシュ(SHA-256)", T, 20),
        Column("received_at", "受付日時", T, 18),
        Column("plan_no", "計画No", T, 8),
        Column("fiscal_year", "報告年度", T, 8),
        Column("lead_division", "主管課", T, 14),
        Column("decision", "判定", T, 12),
        Column("errors", "エラー数", INT, 8),
        Column("warnings", "警告数", INT, 8),
        Column("archived_to", "原本の保管先", T, 36),
        Column("plan_id", "計画ID", T, 12),
        Column("plan_version", "計画定義の版", T, 14),
    ),
    append_only=True,
)
FINDINGS = Table(
    "findings",
    "指摘",
    ("submission_id", "seq"),
    (
        Column("submission_id", "提出ID", T, 14),
        Column("seq", "連番", INT, 6),
        Column("severity", "重要度", T, 8),
        Column("code", "コード", T, 22),
        Column("sheet", "シート", T, 14),
        Column("cell", "セル", T, 7),
        Column("field", "項目", T, 18),
        Column("value", "入力値", T, 20),
        Column("message", "内容", T, 60),
    ),
    append_only=True,
)
HISTORY = Table(
    "history",
    "変更履歴",
    ("seq",),
    (
        Column("seq", "連番", INT, 7),
        Column("changed_at", "日時", T, 18),
        Column("sheet", "シート", T, 10),
        Column("key", "キー", T, 16),
        Column("field", "項目", T, 18),
        Column("old", "変更前", T, 30),
        Column("new", "変更後", T, 30),
        Column("submission_id", "提出ID", T, 14),
        Column("note", "備考", T, 24),
    ),
    append_only=True,
)
SUBMITTED = Table(
    "submitted",
    "_提出値",
    ("sheet", "key", "field"),
    (
        Column("sheet", "シート", T, 10),
        Column("key", "キー", T, 16),
        Column("field", "項目", T, 18),
        Column("value", "最後に提出された値", T, 30),
    ),
    hidden=True,
)

TABLES: tuple[Table, ...] = (
    PLANS,
    KPIS,
    KPI_VALUES,
    INITIATIVES,
    NARRATIVES,
    SUBMISSIONS,
    FINDINGS,
    HISTORY,
    SUBMITTED,
)
BY_NAME = {t.name: t for t in TABLES}
SCHEMA_VERSION = "ubereport-master-1"
