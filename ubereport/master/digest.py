"""The 提出 sheet digested per plan and year: what the reports need of every file ever received.

The reports show, per plan and reported year, how many files came in, whether one was 受理 and
the latest one that was not superseded. At 20,000 submissions building a row object for each
of them took longer than everything else the run does; the digest is kept in the master's
cache beside the tables, made from the rows the cache holds and extended with each new row,
so a run that only appends to 提出 never builds its rows. May use validate (the decisions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ubereport.validate.batch import Decision

ACCEPTED = str(Decision.ACCEPTED)
SUPERSEDED = str(Decision.SUPERSEDED)

Record = dict[str, Any]
Key = tuple[Any, Any]  # (計画No, 報告年度) as the cells hold them


@dataclass(slots=True)
class Group:
    """The 提出 rows of one plan and year: how many, whether one was accepted, and the latest
    one not superseded (``at``: its place in the sheet, -1 when there is none)."""

    count: int = 0
    accepted: bool = False
    last: Record | None = None
    at: int = -1

    def add(self, row: Mapping[str, Any], at: int) -> None:
        self.count += 1
        decision = row.get("decision")
        self.accepted |= decision == ACCEPTED
        if decision != SUPERSEDED:
            self.last, self.at = dict(row), at

    def joined(self, other: Group) -> Group:
        """Both groups as one (two spellings of one plan and year): the later row is last."""
        later = self if self.at >= other.at else other
        return Group(
            self.count + other.count, self.accepted or other.accepted, later.last, later.at
        )


class Digest:
    """Every plan and year of the 提出 rows as a :class:`Group`, in order of first appearance."""

    def __init__(self, groups: dict[Key, Group] | None = None, rows: int = 0) -> None:
        self.groups: dict[Key, Group] = groups or {}
        self.rows = rows

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]]) -> Digest:
        digest = cls()
        digest.extend(rows)
        return digest

    def extend(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            key = (row.get("plan_no"), row.get("fiscal_year"))
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = Group()
            group.add(row, self.rows)
            self.rows += 1

    def as_json(self, keys: Sequence[str]) -> list[Any]:
        """``[rows, [plan, year, count, accepted, at, last row's values or null], …]``."""
        return [
            self.rows,
            [
                [*k, g.count, g.accepted, g.at, _values(g.last, keys)]
                for k, g in self.groups.items()
            ],
        ]

    @classmethod
    def from_json(cls, value: object, keys: Sequence[str]) -> Digest | None:
        """The digest :meth:`as_json` wrote, or None when ``value`` is not one."""
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
            return None
        groups: dict[Key, Group] = {}
        if not isinstance(value[1], list):
            return None
        for item in value[1]:
            if not (isinstance(item, list) and len(item) == 6):
                return None
            plan, year, count, accepted, at, last = item
            if not (
                isinstance(count, int)
                and isinstance(accepted, bool)
                and isinstance(at, int)
                and (last is None or (isinstance(last, list) and len(last) == len(keys)))
            ):
                return None
            row = None if last is None else dict(zip(keys, last, strict=True))
            groups[(plan, year)] = Group(count, accepted, row, at)
        return cls(groups, value[0])


def _values(row: Record | None, keys: Sequence[str]) -> list[Any] | None:
    return None if row is None else [row.get(c) for c in keys]
