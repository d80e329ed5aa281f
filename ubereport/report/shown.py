"""Values as printed under a heading that already names their unit (cards, published report)."""

from __future__ import annotations

from ubereport.japanese.values import format_number, parse_value

__all__ = ["shown_value"]


def shown_value(text: str, unit: str) -> str:
    """A target or actual as printed under a heading that names the unit.

    「2,121,796千円」 under 千円 prints 「2,121,796」 (a number never wraps inside itself);
    「10時間/月以下」 under 時間/月 prints 「10以下」; any other text (「集計中」, a different unit,
    「約40名」) prints as written.
    """
    parsed = parse_value(text)
    if not parsed.is_number or parsed.approximate or parsed.value is None:
        return text
    if (parsed.unit or "") not in ("", unit):
        return text
    return format_number(parsed.value) + (str(parsed.comparator) if parsed.comparator else "")
