"""Merge accepted submissions into the master: upsert by key and field, with full history.

Rules (the README states them for people):

* a submission is recorded once, by content hash; the same content again changes nothing;
* an accepted card updates the plan, its KPIs, every year's targets, and the reported year's
  actuals, own ratings, initiatives and narratives; the reported year's fields are authoritative
  (a blank clears), other years' blanks never erase earlier values;
* a field whose submitted value is the same as last time is left alone, so a clerk's hand edit in
  the master stays until a newer submission changes that field — and then the history records
  the hand-edited value it replaced;
* every changed value is a row in 変更履歴.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from ubereport.card.model import NARRATIVE_FIELDS, PLAN_TEXT_FIELDS, Card
from ubereport.findings import Finding
from ubereport.japanese.fiscal import format_fy
from ubereport.master.schema import (
    FINDINGS,
    HISTORY,
    INITIATIVES,
    KPI_VALUES,
    KPIS,
    NARRATIVES,
    PLANS,
    SUBMISSIONS,
    SUBMITTED,
    Table,
)
from ubereport.master.store import MasterData, Record, key_of
from ubereport.plan.registry import Registry
from ubereport.validate.batch import Decision, Submission
from ubereport.validate.context import TargetKey

KPI_FIELDS = ("name", "note", "unit", "direction", "baseline_label")
INDEXED = (PLANS, KPIS, KPI_VALUES, INITIATIVES, NARRATIVES, SUBMITTED)


class PlanState(StrEnum):
    NEW = "新規"
    UPDATED = "更新"
    UNCHANGED = "変更なし"


@dataclass(frozen=True, slots=True)
class Change:
    sheet: str
    key: str
    field: str
    old: str
    new: str
    note: str = ""


@dataclass(slots=True)
class MergeResult:
    submission_id: str
    file: str
    decision: Decision
    plan_no: str | None
    state: PlanState | None = None
    changes: list[Change] = field(default_factory=list)


def submission_id(sha256: str, part: int = 0) -> str:
    """Content-addressed: the same file content always has the same ID (``-1``, ``-2`` … for
    the cards of a workbook that holds several)."""
    return f"{sha256[:12]}-{part}" if part else sha256[:12]


def _recorded(data: MasterData, sub: Submission) -> bool:
    """Whether this very submission (this card of this content) is in the master already."""
    if not sub.part:
        return data.knows(sub.sha256)
    sid = submission_id(sub.sha256, sub.part)
    return data.has_submission(sid)


def registered_targets(data: MasterData) -> dict[TargetKey, str]:
    """Targets the master holds from earlier submissions, for the target-changed check."""
    from ubereport.japanese.fiscal import parse_fiscal_year

    out: dict[TargetKey, str] = {}
    for r in data.rows("kpi_values"):
        year = parse_fiscal_year(r.get("fiscal_year"))
        if r.get("target_text") and year and r.get("submission_id"):
            out[(str(r["plan_no"]), int(r["kpi_no"]), year)] = str(r["target_text"])
    return out


@contextmanager
def merging(data: MasterData) -> Iterator[MasterData]:
    """A batch of merges into ``data``: the key indexes of the tables a merge changes are built
    once and kept up to date by each :func:`merge_submission`, instead of once per card
    (quadratic: 2,500 cards into a master that grows to 150,000 _提出値 rows took minutes).
    Nothing but merges may change ``data`` inside."""
    data.merging = {t.name: data.index(t) for t in INDEXED}
    try:
        yield data
    finally:
        data.merging = None


def merge_submission(
    data: MasterData,
    sub: Submission,
    now: str,
    archived_to: str = "",
    plan: Registry | None = None,
    *,
    changes: bool = True,
) -> MergeResult:
    """Record ``sub`` in the master and, when accepted, apply its card; 提出 names the plan
    (and the version of its definition) the card was read and checked with. With ``changes``
    the result lists every field the card changed (変更履歴 records them either way)."""
    sid = submission_id(sub.sha256, sub.part)
    head = sub.head
    result = MergeResult(sid, sub.label, sub.decision, head.plan_no if head else None)
    if not sub.sha256:  # the file could not be read at all: nothing to record it by
        result.decision = Decision.REJECTED
        return result
    if sub.decision is Decision.ALREADY_PROCESSED or _recorded(data, sub):
        result.decision = Decision.ALREADY_PROCESSED  # recorded once, under its first file
        return result
    _record(data, sub, sid, now, archived_to, plan)
    card = sub.card if sub.decision is Decision.ACCEPTED else None
    if sub.decision is Decision.ACCEPTED and head and head.fiscal_year and card is None:
        raise RuntimeError(f"{sub.label}: the accepted card was let go before the merge")
    if card is not None and card.fiscal_year:
        merger = _Merger(data, sid, now, listed=changes)
        plan_row = merger.indexes[PLANS.name].get(key_of(PLANS, {"plan_no": card.plan_no or ""}))
        was_new = not (plan_row or {}).get("submission_id")
        merger.apply(card)
        result.changes = merger.changes
        result.state = (
            PlanState.NEW
            if was_new
            else PlanState.UPDATED
            if merger.changed
            else PlanState.UNCHANGED
        )
    return result


def _record(
    data: MasterData,
    sub: Submission,
    sid: str,
    now: str,
    archived_to: str,
    plan: Registry | None = None,
) -> None:
    card = sub.head
    findings = sub.findings
    errors = sum(f.is_error for f in findings)
    data.append(
        SUBMISSIONS.name,
        {
            "submission_id": sid,
            "file_name": sub.name,
            "sheet": sub.sheet or (card.sheet if card else None),
            "sha256": sub.sha256,
            "received_at": now,
            "plan_no": card.plan_no if card else None,
            "fiscal_year": format_fy(card.fiscal_year) if card and card.fiscal_year else None,
            "lead_division": card.lead_division if card else None,
            "decision": str(sub.decision),
            "errors": errors,
            "warnings": len(findings) - errors,
            "archived_to": archived_to,
            "plan_id": plan.plan_id if plan else (card.plan_id if card else None) or None,
            "plan_version": plan.version if plan else None,
        },
    )
    data.append(FINDINGS.name, *(_finding_row(sid, i, f) for i, f in enumerate(findings, 1)))


def _finding_row(sid: str, seq: int, f: Finding) -> Record:
    return {
        "submission_id": sid,
        "seq": seq,
        "severity": str(f.severity),
        "code": f.code,
        "sheet": f.sheet,
        "cell": f.cell,
        "field": f.field,
        "value": f.value,
        "message": f.message,
    }


class _Merger:
    def __init__(self, data: MasterData, sid: str, now: str, *, listed: bool = True) -> None:
        self.data = data
        self.sid = sid
        self.now = now
        self.listed = listed  # whether ``changes`` lists each change (else only counted)
        self.changes: list[Change] = []
        self.changed = 0
        self.indexes = data.merging
        if self.indexes is None:  # a merge on its own
            self.indexes = {t.name: data.index(t) for t in INDEXED}

    def apply(self, card: Card) -> None:
        plan = card.plan_no or ""
        year = format_fy(card.fiscal_year or 0)
        texts = {f: getattr(card, f) for f in PLAN_TEXT_FIELDS}
        self._upsert(PLANS, {"plan_no": plan}, texts, authoritative=False)
        report_index = (
            card.plan_years.index(card.fiscal_year) if card.fiscal_year in card.plan_years else None
        )
        for k, kpi in enumerate(card.kpis, start=1):
            if kpi.is_empty():
                continue
            fields = {f: getattr(kpi, f) for f in KPI_FIELDS} | {"baseline_text": kpi.baseline.text}
            self._upsert(KPIS, {"plan_no": plan, "kpi_no": k}, fields, authoritative=False)
            for i, (t, a) in enumerate(zip(kpi.targets, kpi.actuals, strict=True)):
                if t.fiscal_year is None:
                    continue
                values = {"target_text": t.parsed.text}
                reported = i == report_index
                if reported:
                    values |= {
                        "actual_text": a.parsed.text,
                        "assessment": kpi.assessment,
                        "assessment_reason": kpi.assessment_reason,
                    }
                elif a.parsed.text:
                    values["actual_text"] = a.parsed.text
                key = {"plan_no": plan, "kpi_no": k, "fiscal_year": format_fy(t.fiscal_year)}
                self._upsert(KPI_VALUES, key, values, authoritative=reported)
        for n, item in enumerate(card.inputs, start=1):
            key = {"plan_no": plan, "fiscal_year": year, "item_no": n}
            fields = {"text": item.text, "output": item.output, "output_result": item.output_result}
            self._upsert(INITIATIVES, key, fields, authoritative=True)
        narrative = {f: getattr(card, f) for f in NARRATIVE_FIELDS}
        self._upsert(
            NARRATIVES, {"plan_no": plan, "fiscal_year": year}, narrative, authoritative=True
        )

    def _upsert(
        self, table: Table, key: Record, fields: dict[str, str], *, authoritative: bool
    ) -> None:
        index = self.indexes[table.name]
        tkey = key_of(table, key)
        row = index.get(tkey)
        if row is None:
            if not any(fields.values()):
                return
            row = dict(key)
            self.data.rows(table.name).append(row)
            index[tkey] = row
        label = "/".join(tkey)
        changed = False
        for name, new in fields.items():
            changed |= self._set(table, row, label, name, new or "", authoritative)
        if changed:
            row["submission_id"] = self.sid

    def _set(
        self, table: Table, row: Record, label: str, name: str, new: str, authoritative: bool
    ) -> bool:
        skey = (table.sheet, label, name)
        submitted = self.indexes[SUBMITTED.name].get(skey)
        last = submitted.get("value") if submitted else None
        current = str(row.get(name) or "")
        if (last or "") == new and submitted is not None:
            return False
        if not new and not authoritative:
            return False
        self._remember(skey, new)
        if current == new:
            return False
        note = "手修正された値を上書き" if submitted is not None and current != (last or "") else ""
        row[name] = new
        header = table.column(name).header
        self.changed += 1
        if self.listed:
            self.changes.append(Change(table.sheet, label, header, current, new, note))
        self.data.append(
            HISTORY.name,
            {
                "seq": self.data.count(HISTORY.name) + 1,
                "changed_at": self.now,
                "sheet": table.sheet,
                "key": label,
                "field": header,
                "old": current,
                "new": new,
                "submission_id": self.sid,
                "note": note,
            },
        )
        return True

    def _remember(self, skey: tuple[str, str, str], value: str) -> None:
        record = self.indexes[SUBMITTED.name].get(skey)
        if record is None:
            record = {"sheet": skey[0], "key": skey[1], "field": skey[2]}
            self.data.rows(SUBMITTED.name).append(record)
            self.indexes[SUBMITTED.name][skey] = record
        record["value"] = value
