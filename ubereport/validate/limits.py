"""What a workbook cell can hold: a text longer than Excel's 32,767-character cell limit is an
エラー at its cell, so no accepted card can make the master unwritable.

Excel counts UTF-16 code units: 𠮷, emoji and other characters outside the BMP count 2.
"""

from __future__ import annotations

from collections.abc import Iterator

from ubereport.files.names import utf16_length
from ubereport.findings import Finding
from ubereport.validate.context import Context, field_label
from ubereport.validate.narrative import card_texts

EXCEL_CELL_LIMIT = 32_767


def check(ctx: Context) -> Iterator[Finding]:
    if 2 * _longest(ctx) <= EXCEL_CELL_LIMIT:
        return  # no text near the limit (every card there is): nothing to count
    for fname, text in all_texts(ctx).items():
        if 2 * len(text) <= EXCEL_CELL_LIMIT:
            continue  # no character counts more than 2: far under the limit
        length = utf16_length(text)
        if length > EXCEL_CELL_LIMIT:
            yield ctx.finding(
                "cell-text-over-limit",
                fname,
                text,
                label=field_label(fname),
                length=f"{length:,}",
            )


def _longest(ctx: Context) -> int:
    """The length of the longest of :func:`all_texts`, without building it."""
    card = ctx.card
    lengths = [len(card.template_version), len(card.fiscal_year_text), len(card.plan_no_text)]
    lengths += map(len, card.year_labels)
    for kpi in card.kpis:
        lengths += (len(kpi.direction), len(kpi.assessment), len(kpi.baseline_label))
    return max(max(lengths), max(map(len, card_texts(ctx).values()), default=0))


def all_texts(ctx: Context) -> dict[str, str]:
    """Every text of the card the master would store, keyed by defined name."""
    card = ctx.card
    texts = card_texts(ctx) | {
        "template_version": card.template_version,
        "fiscal_year": card.fiscal_year_text,
        "plan_no": card.plan_no_text,
    }
    texts |= {f"year_y{y}": label for y, label in enumerate(card.year_labels, start=1)}
    for k, kpi in enumerate(card.kpis, start=1):
        texts |= {
            f"kpi{k}_direction": kpi.direction,
            f"kpi{k}_assessment": kpi.assessment,
            f"kpi{k}_baseline_label": kpi.baseline_label,
        }
    return {name: text for name, text in texts.items() if text}
