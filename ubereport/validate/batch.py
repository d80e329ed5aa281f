"""Batch checks: one plan and year submitted twice, a file whose content was already merged,
the same file submitted twice in one batch."""

from __future__ import annotations

import pickle
import sys
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ubereport.card.model import Card
from ubereport.files.content import content_hash
from ubereport.files.names import display_name
from ubereport.findings import Finding, make_finding, shorten
from ubereport.japanese.fiscal import format_fy
from ubereport.validate.context import Report

__all__ = ["CardHead", "Decision", "Submission", "content_hash", "decide"]


class Decision(StrEnum):
    ACCEPTED = "受理"
    REJECTED = "要修正"
    SUPERSEDED = "不採用（新しい提出あり）"
    ALREADY_PROCESSED = "処理済み"


@dataclass(frozen=True, slots=True)
class CardHead:
    """What the batch decision, the 提出 row and the filing need of a card: its plan and year,
    sheet and lead division (a few dozen bytes; the whole card is ~25 KB in memory)."""

    plan_no: str | None
    fiscal_year: int | None
    sheet: str
    lead_division: str
    plan_id: str = ""  # the plan the card was read as (a root may serve several)

    @classmethod
    def of(cls, card: Card) -> CardHead:
        return cls(card.plan_no, card.fiscal_year, card.sheet, card.lead_division, card.plan_id)

    def shared(self) -> CardHead:
        """The same head with its texts interned: plan numbers, sheet names, divisions and
        plan IDs repeat across a batch, and each worker result brings copies of its own."""
        no = self.plan_no
        return CardHead(
            None if no is None else sys.intern(no),
            self.fiscal_year,
            sys.intern(self.sheet),
            sys.intern(self.lead_division),
            sys.intern(self.plan_id),
        )


@dataclass(slots=True)
class Submission:
    path: Path
    report: Report
    sha256: str
    mtime: float
    decision: Decision = Decision.ACCEPTED
    notes: list[Finding] = field(default_factory=list)
    trace: str = ""  # the traceback of an unforeseen failure, for the run log
    # A workbook with several card sheets is several submissions: ``part`` 1, 2 … in sheet
    # order, ``sheet`` the card's sheet. A file with one card has part 0.
    sheet: str = ""
    part: int = 0
    # The card's head stays when the card itself is let go (:meth:`compact`); a card that may
    # still be merged can be kept as its pickle (``packed``), unpacked only to be merged.
    head: CardHead | None = None
    packed: bytes = b""

    def __post_init__(self) -> None:
        if self.head is None and self.report.card is not None:
            self.head = CardHead.of(self.report.card)

    @property
    def card(self) -> Card | None:
        """The parsed card, when this submission still holds it (see :meth:`compact`)."""
        if self.report.card is not None:
            return self.report.card
        return pickle.loads(self.packed) if self.packed else None

    def compact(self, *, keep: bool, pack: bool = False) -> None:
        """Let the parsed card go (its head stays); with ``keep``, keep it — as a pickle with
        ``pack`` (a worker's result: bytes cross the process boundary without being parsed)."""
        card = self.report.card
        if card is None:
            if not keep:
                self.packed = b""
            return
        if keep and not pack:
            return
        self.packed = pickle.dumps(card, pickle.HIGHEST_PROTOCOL) if keep else b""
        self.report.card = None

    @property
    def name(self) -> str:
        """The file's name as a person reads it (never undecodable bytes)."""
        return display_name(self.path)

    @property
    def content_key(self) -> str:
        """The file's content hash, and the card's place in it for a workbook of several."""
        return f"{self.sha256}#{self.part}" if self.part else self.sha256

    @property
    def label(self) -> str:
        """The file for people, with the sheet when the file holds several cards."""
        return f"{self.name}（シート「{self.sheet}」）" if self.part else self.name

    @property
    def findings(self) -> list[Finding]:
        return self.report.findings + self.notes

    @property
    def key(self) -> tuple[str, str, int] | None:
        """(plan id, plan No., fiscal year): of one key, only the newest submission is merged."""
        head = self.head
        if head is None or head.plan_no is None or head.fiscal_year is None:
            return None
        return head.plan_id, head.plan_no, head.fiscal_year

    @property
    def order(self) -> tuple[float, str, int]:
        """Newer sorts later: of one plan and year, the last submission in this order is merged."""
        return self.mtime, self.name, self.part


def internal_error(name: str, exc: BaseException) -> Finding:
    """The finding for an exception nobody foresaw while handling the file ``name``."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return make_finding("internal-error", name, detail=shorten(detail, 120))


def decide(batch: list[Submission], known: Mapping[str, str] | None = None) -> list[Submission]:
    """Decide every submission of a batch; ``known`` maps merged content hashes to a note."""
    known = {} if known is None else known  # (not ``or``: a lazy mapping is not sized for it)
    fresh: list[Submission] = []
    for sub in batch:
        sub.decision = Decision.REJECTED if not sub.report.valid else Decision.ACCEPTED
        if sub.sha256 in known:
            sub.decision = Decision.ALREADY_PROCESSED
            sub.notes.append(make_finding("already-processed", sub.name, detail=known[sub.sha256]))
        else:
            fresh.append(sub)
    _duplicates(_one_per_content(fresh))
    return batch


def _one_per_content(batch: list[Submission]) -> list[Submission]:
    """Byte-identical files in one batch are one submission: the newest copy stands for it."""
    groups: dict[str, list[Submission]] = defaultdict(list)
    for sub in batch:
        groups[sub.content_key].append(sub)
    kept: list[Submission] = []
    for subs in groups.values():
        subs.sort(key=lambda s: (s.mtime, s.name))
        kept.append(subs[-1])
        for copy in subs[:-1]:
            if copy.decision is Decision.ACCEPTED:
                copy.decision = Decision.ALREADY_PROCESSED
            copy.notes.append(make_finding("same-content", copy.name, other=subs[-1].label))
    standing = {id(sub) for sub in kept}
    return [sub for sub in batch if id(sub) in standing]


def _duplicates(batch: list[Submission]) -> None:
    groups: dict[tuple[str, str, int], list[Submission]] = defaultdict(list)
    for sub in batch:
        if sub.key is not None:
            groups[sub.key].append(sub)
    for (_, plan, year), subs in groups.items():
        if len(subs) < 2:
            continue
        subs.sort(key=lambda s: s.order)
        newest, older = subs[-1], subs[:-1]
        label = format_fy(year)
        newest.notes.append(
            make_finding(
                "duplicate-taken",
                newest.name,
                detail=plan,
                year=label,
                other="」「".join(s.label for s in older),
            )
        )
        for sub in older:
            sub.decision = Decision.SUPERSEDED
            sub.notes.append(
                make_finding(
                    "duplicate-superseded",
                    sub.name,
                    detail=plan,
                    year=label,
                    other=newest.label,
                )
            )
