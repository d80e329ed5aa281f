"""The municipality a plan belongs to: 全国地方公共団体コード, 都道府県名, 市区町村名.

The code is the 総務省 「全国地方公共団体コード」: five digits (JIS X 0401 prefecture + JIS X 0402
municipality) and a check digit. The check digit is computed by the published rule: multiply the
five digits by 6, 5, 4, 3, 2, add the products, divide by 11 and take the last digit of 11 minus
the remainder (宇部市 35202 → 3×6+5×5+2×4+0×3+2×2 = 55, remainder 0, 11 − 0 = 11 → 1: 352021).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_MUNICIPALITY", "Municipality", "MunicipalityError", "check_digit", "full_code"]

WEIGHTS = (6, 5, 4, 3, 2)


class MunicipalityError(ValueError):
    """The code in plan.toml is not a 全国地方公共団体コード; the message is Japanese."""


def check_digit(code5: str) -> int:
    """The check digit of a five-digit 団体コード (「35202」 → 1)."""
    if len(code5) != len(WEIGHTS) or not code5.isascii() or not code5.isdigit():
        raise MunicipalityError(f"団体コード「{code5}」は5桁の数字ではありません。")
    total = sum(int(d) * w for d, w in zip(code5, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def full_code(raw: object) -> str:
    """The six-digit code from five digits (check digit added) or six (check digit verified)."""
    text = str(raw).strip().translate(_FULLWIDTH) if raw is not None else ""
    if len(text) == 5:
        return text + str(check_digit(text))
    if len(text) == 6 and text.isascii() and text.isdigit():
        expected = check_digit(text[:5])
        if int(text[5]) != expected:
            raise MunicipalityError(
                f"plan.toml の municipality_code「{text}」の検査数字（6桁目）が違います"
                f"（{text[:5]} の検査数字は {expected}）。"
            )
        return text
    raise MunicipalityError(
        f"plan.toml の municipality_code「{text}」は全国地方公共団体コード（6桁、または"
        "検査数字を除いた5桁）ではありません。"
    )


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True, slots=True)
class Municipality:
    """全国地方公共団体コード (six digits), 都道府県名 and 市区町村名."""

    code: str
    prefecture: str
    name: str


DEFAULT_MUNICIPALITY = Municipality("352021", "山口県", "宇部市")
