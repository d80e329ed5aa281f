"""Findings: every problem in a submission is data, never an exception.

A :class:`Finding` carries a stable kebab-case ``code``, a severity (エラー blocks the merge,
警告 does not), where it is (file, sheet, A1 cell, field), the value found and a Japanese message
that tells the division what to do. The messages live in :data:`CATALOG`, one entry per code, so
the README's table of codes is generated from the same source the program uses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """エラー blocks the merge; 警告 does not."""

    ERROR = "エラー"
    WARNING = "警告"


@dataclass(frozen=True, slots=True)
class Rule:
    """A catalog entry: the severity and the Japanese message template of one code."""

    severity: Severity
    title: str
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    file: str
    sheet: str | None
    cell: str | None
    field: str | None
    value: str | None
    message: str

    def to_dict(self) -> dict[str, str | None]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


E, W = Severity.ERROR, Severity.WARNING

CATALOG: dict[str, Rule] = {
    # --- file -----------------------------------------------------------------------------
    "file-empty": Rule(
        E,
        "空のファイル",
        "ファイルが空（0バイト）です。保存し直してから、もう一度提出してください。",
    ),
    "file-not-excel": Rule(
        E,
        "Excelファイルではない",
        "Excelのブック（.xlsx）ではありません（{detail}）。"
        "配布した様式をExcelで開き、「Excelブック（*.xlsx）」として保存して提出してください。",
    ),
    "file-legacy-xls": Rule(
        E,
        "古い形式（.xls）",
        "古いExcel形式（Excel 97-2003 ブック）です。Excelで開き、"
        "「名前を付けて保存」で「Excelブック（*.xlsx）」を選んで保存し直してください。",
    ),
    "file-encrypted": Rule(
        E,
        "パスワード付き",
        "ブックにパスワードが設定されているため読めません。"
        "「ファイル」→「情報」→「ブックの保護」でパスワードを解除してから提出してください。",
    ),
    "file-corrupt": Rule(
        E,
        "破損したファイル",
        "ファイルが壊れているため読めません（{detail}）。"
        "元のファイルをExcelで開いて保存し直すか、様式に入力し直して提出してください。",
    ),
    "file-too-large": Rule(
        E,
        "展開後のサイズが異常",
        "ファイルの中身が異常に大きいため、安全のため読み込みを中止しました（{detail}）。"
        "配布した様式に入力し直して提出してください。",
    ),
    "internal-error": Rule(
        E,
        "処理中の予期しない問題",
        "このファイルの処理中に予期しない問題が起きたため、取り込めませんでした（{detail}）。"
        "ファイルは保管してあります。行革推進課に連絡してください（詳しい記録は実行ログ（logs フォルダ）にあります）。",
    ),
    "file-macro-enabled": Rule(
        W,
        "マクロ有効ブック",
        "マクロ有効ブック（.xlsm）です。値だけを読み取り、マクロは実行していません。"
        "次回からは「Excelブック（*.xlsx）」で保存してください。",
    ),
    "file-unreadable": Rule(
        E,
        "ファイルを開けない",
        "ファイルを開けませんでした（{detail}）。"
        "ほかの人が開いていないか確認し、閉じてからもう一度提出してください。",
    ),
    # --- sheet / template -------------------------------------------------------------------
    "sheet-missing": Rule(
        E,
        "様式のシートがない",
        "アクションプランの様式シートが見つかりません（シート: {detail}）。"
        "配布した様式（templates/actionplan_sheet.xlsx）に入力して提出してください。",
    ),
    "names-missing": Rule(
        W,
        "名前の定義がない",
        "様式のセル名（名前の定義）が見つからないため、見出しの位置から読み取りました。"
        "読み取り結果を確認し、次回は配布した様式ファイルをそのまま使ってください。",
    ),
    "label-missing": Rule(
        E,
        "見出しが見つからない",
        "見出し{detail}が見つからないため、{fields}を読み取れませんでした。"
        "見出しを様式どおりに戻すか、配布した様式ファイルに入力し直してください。",
    ),
    "names-mismatch": Rule(
        W,
        "名前の定義が見出しと合わない",
        "セル名（名前の定義）の多くが様式の見出しと合わない位置を指しているため"
        "（行の挿入や、様式へのずれた貼り付けなど）、セル名は使わず見出しの位置から読み取りました。"
        "読み取り結果を確認してください。",
    ),
    "name-moved": Rule(
        W,
        "名前の定義の位置が違う",
        "セル名「{detail}」が指す {other} は{label}の欄ではないため（見出しが合いません）、"
        "見出しの位置にあるこのセルから読み取りました。読み取り結果を確認してください。",
    ),
    "name-broken": Rule(
        W,
        "名前の定義が壊れている",
        "セル名「{detail}」の参照先が壊れています（行や列の削除で #REF! になっています）。"
        "この欄は見出しの位置から読み取りました。読み取り結果を確認してください。",
    ),
    "sheet-hidden-ignored": Rule(
        W,
        "非表示のシートを読まなかった",
        "非表示のシート「{detail}」にもカードがありますが、表示されているシート「{other}」を読み取り、"
        "「{detail}」は読み取っていません。古い下書きなど不要なシートであれば削除してください。",
    ),
    "sheet-hidden-read": Rule(
        W,
        "非表示のシートから読み取った",
        "カードが非表示のシート「{detail}」にしかないため、そのシートから読み取りました。"
        "シートを再表示して、内容が提出するものか確認してください。",
    ),
    "sheet-blank-ignored": Rule(
        W,
        "未記入の様式シートを読まなかった",
        "シート「{detail}」は何も入力されていない様式のため、読み取っていません"
        "（入力されたカードのシートを読み取りました）。不要なら削除してください。",
    ),
    "sheet-partial": Rule(
        W,
        "カードの一部だけのシート",
        "シート「{detail}」にはカードの見出しの一部がありますが、カードの形になっていないため"
        "読み取っていません。提出する内容が含まれていれば、カードのシートに入力してください。",
    ),
    "sheet-several": Rule(
        W,
        "1つのブックに複数のカード",
        "このブックには{count}枚のカード（シート「{detail}」）があります。"
        "シートごとに別の提出として確認し、取り込みました。",
    ),
    "field-hidden": Rule(
        W,
        "非表示のセルから読み取った",
        "{label}を非表示の行・列にあるこのセルから読み取りました。"
        "行・列を再表示して、内容が正しいか確認してください。",
    ),
    "text-gathered": Rule(
        W,
        "複数のセルから読み取った",
        "{label}が複数のセル（{detail}）に分かれて入力されていたため、上から順に改行でつないで"
        "読み取りました。読み取り結果を確認してください。",
    ),
    "cell-unread": Rule(
        W,
        "どの欄にも当たらないセル",
        "カードの中のセル {where} に「{detail}」と入力されていますが、どの欄にも当たらないため"
        "読み取っていません。必要な内容であれば該当する欄に入力してください。",
    ),
    "cell-hidden": Rule(
        W,
        "非表示の行・列にある入力",
        "非表示の行・列にあるセル {where} に「{detail}」が入力されています。この値は読み取っていません。"
        "不要なら削除し、必要なら行・列を再表示して該当する欄に入力してください。",
    ),
    "plan-unknown": Rule(
        E,
        "扱っていない計画のカード",
        "このカードは計画「{detail}」のものですが、この受付では扱っていません（扱っている計画: {known}）。"
        "今の計画の様式に書き写して提出してください。計画を増やすときは行革推進課が「ubereport plan new」で定義を作ります。",
    ),
    "plan-ambiguous": Rule(
        E,
        "どの計画のカードか分からない",
        "このカードがどの計画のものか、計画名と年度の見出しから決められません（候補: {detail}）。"
        "配布した様式に入力して提出してください（様式には計画の ID が入っています）。",
    ),
    "template-version-unknown": Rule(
        W,
        "様式の版が不明",
        "様式の版「{detail}」は想定外のため、読み取れた範囲で処理しました。"
        "最新の様式（{expected}）で提出してください。",
    ),
    "cell-formula": Rule(
        W,
        "数式のセル",
        "このセルは数式です。数式は計算せず、Excelが保存していた値「{detail}」を読み取りました。"
        "値を直接入力してください。",
    ),
    "cell-error": Rule(
        E,
        "エラー値のセル",
        "セルがエラー値（{detail}）です。正しい値を入力してください。",
    ),
    # --- header ---------------------------------------------------------------------------
    "plan-no-missing": Rule(
        E,
        "No.が空欄",
        "アクションプランのNo.が空欄です。一覧から自分の課のNo.（例: 01）を選んでください。",
    ),
    "plan-no-unknown": Rule(
        E,
        "No.が計画にない",
        "No.「{detail}」は行財政改革推進計画にありません。01～{last} の中から選んでください。",
    ),
    "plan-name-mismatch": Rule(
        W,
        "アクションプラン名が登録と違う",
        "アクションプラン名が登録と違います（入力:「{detail}」、登録:「{expected}」）。"
        "No.の誤りでなければ、登録どおりの名称に直してください。",
    ),
    "policy-mismatch": Rule(
        W,
        "基本方針が登録と違う",
        "基本方針が登録と違います（入力:「{detail}」、登録:「{expected}」）。一覧から選び直してください。",
    ),
    "strategy-mismatch": Rule(
        W,
        "戦略が登録と違う",
        "戦略が登録と違います（入力:「{detail}」、登録:「{expected}」）。一覧から選び直してください。",
    ),
    "lead-division-mismatch": Rule(
        W,
        "主管課が登録と違う",
        "主管課が登録と違います（入力:「{detail}」、登録:「{expected}」）。"
        "組織改正などで変わった場合は行革推進課に連絡してください。",
    ),
    "fiscal-year-missing": Rule(
        E, "報告年度が空欄", "報告年度が空欄です。報告する年度を「R4」のように入力してください。"
    ),
    "fiscal-year-invalid": Rule(
        E,
        "報告年度が読めない",
        "報告年度「{detail}」を年度として読めません。「R4」「令和4年度」のように入力してください。",
    ),
    "fiscal-year-conflict": Rule(
        E,
        "報告年度の書き方が食い違う",
        "報告年度「{detail}」の二つの書き方が食い違っています（{first}と{second}）。"
        "報告する年度を「R4」のように一つだけ入力してください。",
    ),
    "fiscal-year-out-of-period": Rule(
        E,
        "報告年度が計画期間外",
        "報告年度「{detail}」は計画期間（{period}）の外です。報告する年度を確認してください。",
    ),
    "year-heading-changed": Rule(
        W,
        "年度の見出しが違う",
        "年度の見出し「{detail}」が計画の年度（{expected}）と違います。見出しは変更しないでください。",
    ),
    # --- values ---------------------------------------------------------------------------
    "value-invalid": Rule(
        E,
        "数値として読めない",
        "「{detail}」を数値として読めません。「4,200件」「99.05%」「10時間/月以下」のように、"
        "数値と単位だけを入力してください（注記は注記欄へ）。",
    ),
    "value-unit-mismatch": Rule(
        E,
        "単位が指標と違う",
        "「{detail}」の単位「{unit}」が指標の単位「{expected}」と違います。"
        "{expected}に換算した数値を入力してください。",
    ),
    "baseline-unit-mismatch": Rule(
        W,
        "基準値の単位が指標と違う",
        "基準値「{detail}」の単位「{unit}」が指標の単位「{expected}」と違います。"
        "計画どおりであれば、注記欄で基準値と目標の関係を説明してください。",
    ),
    "value-percent-range": Rule(
        W,
        "割合が0～100%の外",
        "割合「{detail}」が0～100%の範囲外です。入力の誤り（桁・小数点）がないか確認してください。",
    ),
    "value-scale-suspect": Rule(
        W,
        "桁が違う可能性がある値",
        "「{detail}」は {meant} の誤りではありませんか（同じ指標のほかの値: {others}）。"
        "値はそのまま読み取っています。誤りであれば直して再提出してください"
        "（「値のみ貼り付け」で%の書式が外れると、98.9%は0.989になります）。",
    ),
    "value-not-number": Rule(
        E,
        "数値の指標に文字",
        "{year}の「{detail}」は数値ではありません。この指標は目標が数値のため、"
        "実績も「4,200件」「98.9%」のように数値で入力してください"
        "（集計が間に合わない場合は「集計中」）。",
    ),
    "value-qualitative": Rule(
        W,
        "数値の指標に文字",
        "{year}の「{detail}」は数値ではありませんが、この指標のほかの値は数値です。"
        "定性的な目標・実績でなければ、数値で入力してください。",
    ),
    "actual-missing": Rule(
        E,
        "実績が空欄",
        "{year}の実績が空欄です。実績値を入力してください"
        "（集計が間に合わない場合は「集計中」と入力してください）。",
    ),
    "actual-pending": Rule(
        W,
        "実績が集計中",
        "{year}の実績が「集計中」です。達成状況の一覧には「集計中」と表示されます。"
        "確定したら差し替えて再提出してください。",
    ),
    "actual-future": Rule(
        W,
        "将来年度の実績",
        "報告年度より後の{year}に実績「{detail}」が入力されています。報告年度の列に入力していないか確認してください。",
    ),
    "target-changed": Rule(
        W,
        "目標値が登録と違う",
        "{year}の目標値が登録と違います（入力:「{detail}」、登録:「{expected}」）。"
        "目標値の変更は行革推進課と協議のうえで行ってください。",
    ),
    "direction-invalid": Rule(
        E,
        "方向が選べていない",
        "方向「{detail}」は使えません。一覧から「高いほど良い」「低いほど良い」「目標どおり」を選んでください。",
    ),
    "output-result-invalid": Rule(
        E,
        "アウトプット実績が読めない",
        "アウトプットの実績「{detail}」を読めません。計画（「{expected}」）と同じ単位で、"
        "「{example}」のように入力してください。",
    ),
    # --- narrative --------------------------------------------------------------------------
    "achievements-missing": Rule(
        E,
        "取組実績が空欄",
        "取組実績が空欄です。報告年度に実施した取組とその結果を記入してください。",
    ),
    "shortfall-reason-missing": Rule(
        E,
        "未達成の理由が空欄",
        "{kpi}は{year}が未達成（{detail}）です。「未達成の理由・改善策」に理由と今後の改善策を記入してください。",
    ),
    "assessment-invalid": Rule(
        E,
        "所管課評価が選べていない",
        "所管課評価「{detail}」は使えません。一覧から「達成」「概ね達成」「未達成」を選ぶか、空欄にしてください。",
    ),
    "assessment-reason-missing": Rule(
        E,
        "評価理由が空欄",
        "{kpi}の所管課評価「{detail}」が計算結果「{expected}」と違います。評価理由欄に理由を記入してください。",
    ),
    "text-too-long": Rule(
        W,
        "文字数が多い",
        "{label}が{length}文字あり、印刷したカードの欄に収まりません（この欄に印刷で収まるのは{capacity}文字程度です。改行はその行の残りを使います）。要点を絞ってください。",
    ),
    "cell-text-over-limit": Rule(
        E,
        "Excelの1セルの上限を超える文字数",
        "{label}が{length}文字あり、Excelの1セルの上限（32,767文字）を超えるため取り込めません。"
        "要点だけを入力し、詳しい内容は別の資料にまとめてください。",
    ),
    "text-formula-like": Rule(
        W,
        "数式のように見える文字",
        "{label}が「{first}」で始まっています。文字として扱い、計算はしていません。"
        "意図しない入力であれば先頭の記号を削除してください。",
    ),
    "kpi-values-without-name": Rule(
        W,
        "指標名が空欄",
        "指標{kpi}の項目名が空欄ですが、数値が入力されています。項目名を入力してください。",
    ),
    # --- batch ------------------------------------------------------------------------------
    "duplicate-superseded": Rule(
        W,
        "同じ計画・年度の古い提出",
        "同じNo.{detail}・{year}のファイルがほかにもあります（「{other}」）。"
        "新しい方を採用し、このファイルは取り込みませんでした。",
    ),
    "duplicate-taken": Rule(
        W,
        "同じ計画・年度の提出が複数",
        "同じNo.{detail}・{year}のファイルがほかにもあります（「{other}」）。"
        "このファイル（新しい方）を採用しました。",
    ),
    "already-processed": Rule(
        W,
        "処理済みのファイル",
        "このファイルと同じ内容はすでに取り込み済みです（{detail}）。二重には取り込みません。",
    ),
    "same-content": Rule(
        W,
        "同じ内容のファイルが同時に提出",
        "このファイルと中身がまったく同じ「{other}」が同時に提出されています。"
        "「{other}」の方で処理し、このファイルは二重には取り込みません。",
    ),
}


def describe(code: str) -> Rule:
    """The catalog entry for ``code``; an unknown code is a programming error."""
    return CATALOG[code]


def make_finding(
    code: str,
    file: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    field: str | None = None,
    value: object = None,
    **params: object,
) -> Finding:
    """Build a finding from the catalog, filling the message template with ``params``."""
    rule = CATALOG[code]
    cut = {k: shorten(v, PARAM_LIMIT) if isinstance(v, str) else v for k, v in params.items()}
    message = rule.message.format_map(_Defaults(cut))
    shown = None if value is None else shorten(str(value), VALUE_LIMIT)
    return Finding(code, rule.severity, file, sheet, cell, field, shown, message)


# A finding repeats what the division typed; a 40,000-character value must not travel into the
# master's 指摘 sheet, the feedback workbook or the console whole.
VALUE_LIMIT = 200
PARAM_LIMIT = 200


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with 「…」."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Defaults(dict[str, object]):
    """format_map helper: a missing parameter prints as empty instead of raising."""

    def __init__(self, params: dict[str, object]) -> None:
        super().__init__(params)

    def __missing__(self, key: str) -> str:
        return ""


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)
