"""Survey answers in an import: the declared scales of the items, "not applicable" codes, Likert words,
and wide questionnaires (one column per item) turned long.

A scale is declared, never guessed from the answers (docs/data-model.md#survey_items): an item the
database defines keeps its scale; a new item takes the scale given with ``--scale`` (for one item or
for every new one) or else the default 1-5, and says so; an answer outside its item's scale is a
problem of its row naming the item. May import: duckdb, pyarrow, the ingest reader's Problem and
kam_metrics.domain.
"""

from __future__ import annotations

import re

import pyarrow as pa

from kam_metrics.domain.enums import LIKERT_WORDS
from kam_metrics.ingest.read import MAX_PROBLEMS, Problem, RawTable, sql_literal

#: the scale of an item nobody declared (the data model's default)
DEFAULT_SCALE = (1, 5)
#: the key of ``--scale 1-5`` (every new item) in the parsed scales
EVERY_ITEM = "*"
#: the answers a score column may hold (docs/data-model.md#survey_responses)
SCORE_RANGE = (0, 10)


def parse_scale_options(items: list[str] | None) -> dict[str, tuple[int, int]]:
    """``["1-5", "Item=0-10"]`` (``--scale``) -> {"*": (1, 5), "Item": (0, 10)}; ValueError when one is
    not written as LOW-HIGH with 0 <= LOW < HIGH <= 10."""
    out: dict[str, tuple[int, int]] = {}
    for item in items or []:
        item_code, _, scale = item.rpartition("=")
        found = re.fullmatch(r"\s*(\d+)\s*[-~–]\s*(\d+)\s*", scale)
        low, high = (int(found.group(1)), int(found.group(2))) if found else (None, None)
        if low is None or high is None or not SCORE_RANGE[0] <= low < high <= SCORE_RANGE[1]:
            raise ValueError(f'--scale {item!r}: write it as 1-5 (every new item) or "Item=0-10", within 0-10')
        out[item_code.strip() or EVERY_ITEM] = (low, high)
    return out


def parse_na_values(items: list[str] | None) -> list[str]:
    """``["0", "99,不适用"]`` (``--na-values``, repeatable or comma-separated) -> the codes, trimmed."""
    return [code.strip() for item in items or [] for code in item.split(",") if code.strip()]


def blank_na_values(stage, raw: RawTable, column_map: dict[str, str | None], na_values: list[str]) -> None:
    """Make the "not applicable" codes of the score column blank in table ``raw`` itself (so that they are
    no unreadable numbers), once before checking, with a notice of how many there were."""
    header = next((h for h, c in column_map.items() if c == "score"), None)
    if not na_values or header is None:
        return
    source, codes = "c" + str(raw.headers.index(header)), [v.lower() for v in na_values]
    n = stage.execute("select count(*) from raw where lower(trim(" + source + ")) in (select unnest(?::varchar[]))",
                      [codes]).fetchall()[0][0]
    stage.execute("update raw set " + source + " = null where lower(trim(" + source + ")) in (select unnest(?::varchar[]))", [codes])
    if n:
        listed = ", ".join(na_values)
        raw.notices.append((f"{n:,} 个回答为“不适用”代码({listed}),按空白导入。",
                            f"{n:,} answer(s) coded as not applicable ({listed}) were imported as blanks."))


def score_source(source: str) -> str:
    """SQL of the raw score text ``source`` with Likert words turned into their 1-5 score (matched after
    trimming and lower-casing)."""
    cases = " ".join("when " + sql_literal(w) + " then '" + str(n) + "'" for w, n in LIKERT_WORDS.items())
    return "(case lower(trim(" + source + ")) " + cases + " else " + source + " end)"


def value_notices(stage, source: str, notices: list[tuple[str, str]]) -> None:
    """A notice of the Likert words recoded to scores, each with its count."""
    text = "lower(trim(" + source + "))"
    words = stage.execute("select " + text + " as w, count(*) from parsed where " + text + " in (select unnest(?::varchar[])) "
                          "group by w order by count(*) desc", [list(LIKERT_WORDS)]).fetchall()
    if words:
        listed = ", ".join(f"{w} → {LIKERT_WORDS[w]} ({n:,})" for w, n in words[:10])
        notices.append((f"李克特文字已换成 1-5 分:{listed}。", f"Likert words recoded to 1-5 scores: {listed}."))


def unpivot_wide_survey(stage, raw: RawTable, column_map: dict[str, str | None], overrides: dict[str, str],
                        na_values: list[str], notices: list[tuple[str, str]]) -> list[str]:
    """Turn a wide survey (one row per questionnaire, one column per item) into one row per answer.

    The columns not mapped to a survey_responses column, not left out by the user (``--map "Col=-"``)
    and holding scores (mostly numbers, Likert words or "not applicable" codes) are the items; their
    headers become item codes. The others (gender, class...) are left out with a notice. The raw table
    is rebuilt with the kept columns plus item_code and score; every answer keeps its questionnaire's
    row number. Returns the item codes."""
    candidates = [i for i, h in enumerate(raw.headers) if not column_map.get(h) and overrides.get(h) not in ("", "-")]
    if not candidates:
        return []
    scores = _score_columns(stage, candidates, na_values)
    not_scores = [raw.headers[i] for i in candidates if i not in scores]
    if not_scores:
        notices.append((f"宽格式问卷中这些列不是得分,未导入:{'、'.join(not_scores[:12])}。",
                        f"Columns of the wide survey that hold no scores were left out: {', '.join(not_scores[:12])}."))
    items = [i for i in candidates if i in scores]
    if not items:
        return []
    kept = [i for i, h in enumerate(raw.headers) if column_map.get(h)]
    kept_sql = ", ".join("c" + str(i) + " as c" + str(n) for n, i in enumerate(kept))
    n_kept = len(kept)
    parts = [
        "select _row, " + (kept_sql + ", " if kept_sql else "") + "?::varchar as c" + str(n_kept) + ", c" + str(i)
        + " as c" + str(n_kept + 1) + " from raw"
        for i in items
    ]
    stage.execute("create or replace table raw as " + " union all ".join(parts), [raw.headers[i] for i in items])
    names = [raw.headers[i] for i in items]
    raw.headers = [raw.headers[i] for i in kept] + ["item_code", "score"]
    raw.rows = stage.execute("select count(distinct _row) from raw").fetchall()[0][0]
    return names


def _score_columns(stage, columns: list[int], na_values: list[str]) -> set[int]:
    """Of the raw columns ``columns``, those whose non-empty cells are mostly scores: numbers, Likert
    words or "not applicable" codes (a stray typo stays a problem of its row, not a lost item)."""
    words = [w.lower() for w in (*LIKERT_WORDS, *na_values)]
    counts = ", ".join(
        "count(nullif(trim(c" + str(i) + "), '')), count(*) filter (where try_cast(trim(c" + str(i) + ") as double) is not null "
        "or lower(trim(c" + str(i) + ")) in (select unnest($words::varchar[])))" for i in columns)
    row = stage.execute("select " + counts + " from raw", {"words": words}).fetchall()[0]
    return {i for n, i in enumerate(columns) if row[2 * n] and row[2 * n + 1] * 2 > row[2 * n]}


def check_items(con, staged, scales: dict[str, tuple[int, int]], wide: bool) -> None:
    """The survey checks against the database connection ``con`` (``incoming`` registered): the items the
    database lacks get their declared scale (``staged.new_items``, with a notice saying where each scale
    came from); a declared scale that contradicts a defined item's is a problem; every answer outside
    its item's scale is a problem of its row, naming the item (its column, in a wide file)."""
    answered = [r[0] for r in con.execute("select distinct item_code from incoming where item_code is not null order by 1").fetchall()]
    defined = {r[0]: (int(r[1]), int(r[2])) for r in con.execute(
        "select item_code, scale_min, scale_max from survey_items where item_code in (select unnest(?::varchar[]))",
        [answered]).fetchall()}
    staged.problems.extend(_scale_conflicts(scales, defined, answered))
    new = [c for c in answered if c not in defined]
    staged.new_items = [(c, *(scales.get(c) or scales.get(EVERY_ITEM) or DEFAULT_SCALE)) for c in new]
    if staged.new_items:
        _new_item_notice(staged, scales)
    limits = pa.table({"item_code": list(defined) + new,
                       "low": [lo for lo, _ in defined.values()] + [lo for _, lo, _ in staged.new_items],
                       "high": [hi for _, hi in defined.values()] + [hi for _, _, hi in staged.new_items]})
    con.register("item_scales", limits)
    bad = con.execute(
        "select i._row, i.item_code, i.score, s.low, s.high from incoming i join item_scales s using (item_code) "
        "where i.score < s.low or i.score > s.high order by i._row limit " + str(MAX_PROBLEMS)).fetchall()
    spans = {r[0]: (r[1], r[2]) for r in con.execute(
        "select item_code, min(score), max(score) from incoming where score is not null group by item_code").fetchall()}
    for row_no, item, score, low, high in bad:
        staged.problems.append(_outside_scale(row_no, item, score, (low, high), spans[item], item in defined, wide))


def _outside_scale(row_no: int, item: str, score: float, scale: tuple[int, int], span: tuple[float, float],
                   defined: bool, wide: bool) -> Problem:
    """The problem of an answer outside its item's scale, with the two ways out: a not-applicable code,
    or the usual scale that holds every answer the file gives the item (``span``), declared with --scale
    for a new item or by importing survey items for a defined one."""
    low, high = scale
    fit_low = 0 if span[0] < 1 else 1
    fit_high = next(h for h in (1, 5, 7, 10) if h >= span[1] and h > fit_low)
    wider = f"{0 if fit_high == 10 else fit_low}-{fit_high}"
    if defined:
        scale_zh = f"如果量表不同(例如 {wider}),先导入调查项目表修改 {item} 的量表。"
        scale_en = f"if the scale is another (such as {wider}), change item {item}'s scale by importing survey items first."
    else:
        scale_zh = f"如果量表不同,用 --scale \"{item}={wider}\" 声明。"
        scale_en = f'if the scale is another, declare it: --scale "{item}={wider}".'
    return Problem(
        row_no, item if wide else "score", f"{score:g}", f"题目 {item} 的得分超出量表 {low}-{high}。",
        f"The score of item {item} is outside its scale {low}-{high}.",
        f"如果这是“不适用”代码,用 --na-values {score:g} 把它当作空白;{scale_zh}",
        f"If it is a not-applicable code, --na-values {score:g} makes it blank; {scale_en}")


def _scale_conflicts(scales: dict[str, tuple[int, int]], defined: dict[str, tuple[int, int]],
                     answered: list[str]) -> list[Problem]:
    """Problems of the file as a whole: a ``--scale`` for an item the file does not answer, or one that
    contradicts the scale the database defines for it."""
    problems = []
    for item, (low, high) in scales.items():
        if item == EVERY_ITEM:
            continue
        if item not in answered:
            listed = ", ".join(answered[:30])
            problems.append(Problem(None, "item_code", item, f"--scale 指定的题目 {item} 不在文件中。",
                                    f"--scale names item {item}, which the file does not answer.",
                                    f"文件中的题目:{listed}", f"The file's items: {listed}"))
        elif defined.get(item, (low, high)) != (low, high):
            was = "-".join(map(str, defined[item]))
            problems.append(Problem(
                None, "item_code", item, f"题目 {item} 在数据库中的量表是 {was},--scale 指定的是 {low}-{high}。",
                f"Item {item} is defined with the scale {was}; --scale says {low}-{high}.",
                "先导入调查项目表修改该题的量表,或去掉这个 --scale。",
                "Change the item's scale by importing survey items first, or drop this --scale."))
    return problems


def _new_item_notice(staged, scales: dict[str, tuple[int, int]]) -> None:
    """Say which items will be created, each with its scale and where that scale came from."""
    listed = ", ".join(f"{c} ({lo}-{hi})" for c, lo, hi in staged.new_items[:12])
    declared = all(c in scales or EVERY_ITEM in scales for c, _, _ in staged.new_items)
    source_zh = "量表按 --scale 的声明" if declared else "未声明量表的题目使用默认量表 1-5(用 --scale 声明其他量表)"
    source_en = "scales as declared with --scale" if declared else "the default scale 1-5 where none was declared (--scale declares another)"
    staged.notices.append((
        f"新的调查项目将以默认设置创建(维度“服务”,权重 1,{source_zh}):{listed}。可在调查项目表中修改。",
        f"New survey items will be created with defaults (dimension service, weight 1, {source_en}): {listed}. "
        "Edit them by importing survey items."))

