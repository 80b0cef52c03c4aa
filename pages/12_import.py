"""数据导入 Data import: upload, map, preview, commit, history and undo (kam_metrics.ingest.stage does the work)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from kam_app import auth
from kam_app.sections import importer
from kam_app.state import ensure_router, language, t
from kam_app.widgets.components import render_download_table
from kam_metrics.access.export_safety import neutralise_frame
from kam_metrics.access.policy import PermissionDenied, escape_markdown, safe_file_name
from kam_metrics.i18n import format_date
from kam_metrics.ingest.spec import TABLES, build_template
from kam_metrics.ingest.stage import MODES, ImportRejected, UndoRefused
from kam_metrics.store.connection import DatabaseLocked


def table_label(name: str) -> str:
    spec = TABLES[name]
    return f"{spec.label_zh} · {name}" if language() == "zh" else f"{spec.label_en} · {name}"


def render_templates(table: str) -> None:
    with st.expander(t("import.templates")):
        st.caption(t("import.template_caption"))
        columns = st.columns(4)
        for column, (fmt, lang) in zip(columns, [("csv", "zh"), ("csv", "en"), ("xlsx", "zh"), ("xlsx", "en")]):
            column.download_button(
                t(f"import.template_{fmt}_{lang}"),
                data=build_template(table, lang, fmt),
                file_name=f"template_{table}_{lang}.{fmt}",
                key=f"tpl_{table}_{fmt}_{lang}",
                icon=":material/download:",
            )


def render_options(table: str, is_xlsx: bool, sheets: list[tuple[str, int]]) -> dict:
    options: dict = {}
    with st.expander(t("import.options"), expanded=True):
        left, right = st.columns(2)
        if is_xlsx and sheets:
            rows = dict(sheets)
            largest = max(range(len(sheets)), key=lambda i: sheets[i][1])  # the data is usually the largest sheet
            options["sheet"] = left.selectbox(t("import.sheet"), list(rows), index=largest, key="imp_sheet",
                                              format_func=lambda name: t("import.sheet_rows", name=name, n=f"{rows[name]:,}"))
        order = left.selectbox(
            t("import.date_order"), ["auto", "dmy", "mdy"], format_func=lambda o: t(f"import.date_order.{o}"), key="imp_order"
        )
        options["date_order"] = None if order == "auto" else order
        if table != "accounts" and any(c.name == "account_id" for c in TABLES[table].columns):
            options["create_accounts"] = right.checkbox(t("import.create_accounts"), key="imp_create")
        options["skip_invalid"] = right.checkbox(t("import.skip_invalid"), key="imp_skip_invalid")
        fill = parse_fill(right.text_area(t("import.fill"), key="imp_fill", height=68))
        if fill:
            options["fill"] = fill
        if table == "survey_responses":
            options["wave"] = right.text_input(t("import.wave"), key="imp_wave") or None
            picked = right.date_input(t("import.survey_date"), value=None, key="imp_survey_date")
            options["survey_date"] = picked if isinstance(picked, date) else None
            options.update(render_survey_scales(right))
    return options


def render_survey_scales(column) -> dict:
    """The scale of new items (every one, or "Item=0-10" per line) and the "not applicable" codes."""
    from kam_metrics.ingest.surveys import parse_na_values, parse_scale_options

    options: dict = {}
    scale_text = column.text_input(t("import.scale"), key="imp_scale", placeholder="1-5", help=t("import.scale_help"))
    try:
        scales = parse_scale_options([part for part in scale_text.replace(";", "\n").splitlines() if part.strip()])
    except ValueError:
        st.warning(t("import.scale_invalid", text=scale_text), icon="⚠️")
        scales = {}
    if scales:
        options["scales"] = scales
    na_values = parse_na_values([column.text_input(t("import.na_values"), key="imp_na", placeholder="0")])
    if na_values:
        options["na_values"] = na_values
    return options


def parse_fill(text: str) -> dict[str, str]:
    """The "column=value" lines of the fill field; a line without "=" is named and left out."""
    fill = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        if "=" not in line:
            st.warning(t("import.fill_invalid", line=line.strip()), icon="⚠️")
            continue
        column, value = line.split("=", 1)
        fill[column.strip()] = value.strip()
    return fill


def render_value_mapping(staged, table: str, key: str) -> None:
    """For each coded column, the file's values that are none of our codes, each with a choice of code
    (the closest label preselected); applied on the button, then the file is checked again."""
    if not staged.unknown_values:
        return
    st.subheader(t("import.values"))
    st.caption(t("import.values_caption"))
    keep = t("import.values_none")
    recodes: dict[str, dict[str, str]] = {k: dict(v) for k, v in st.session_state.get(key, {}).items()}
    with st.form(f"imp_values_{table}"):
        for column, values in staged.unknown_values.items():
            codes = importer.codes_of(table, column)
            grid = st.columns(3)
            for position, value in enumerate(values[:15]):
                options = [keep, *codes]
                suggested = importer.suggest_code(table, column, value)
                picked = grid[position % 3].selectbox(
                    f"{column} · {escape_markdown(value)}", options, index=options.index(suggested) if suggested else 0,
                    format_func=lambda code, c=column: code if code == keep else importer.code_label(table, c, code, language()),
                    key=f"imp_value_{table}_{column}_{position}",
                )
                if picked != keep:
                    recodes.setdefault(column, {})[value] = picked
        if st.form_submit_button(t("import.values_apply")):
            st.session_state[key] = recodes
            st.rerun()


def render_profile_choice(staged, key: str) -> None:
    """When saved settings of an earlier import of files with these headers were applied (the notice says
    which and what), or could be, let the user turn them off and on."""
    if staged.profile is not None or st.session_state.get(key) is False:
        st.checkbox(t("import.profile_use"), value=True, key=key, help=t("import.profile_help"))


def render_table_proposal(staged, table: str) -> None:
    """When the file's headers point clearly to another table than the one chosen, say so and offer it."""
    proposed = importer.proposed_table(staged.headers)
    if proposed is None or proposed == table:
        return
    st.info(t("import.proposed", table=table_label(proposed)), icon="💡")
    st.button(t("import.proposed_switch", table=table_label(proposed)), key="imp_switch_table",
              on_click=lambda: st.session_state.update(imp_table=proposed))


def render_mapping(staged, table: str) -> dict | None:
    """One choice per column of the file; returns the new mapping when the user changed one."""
    st.subheader(t("import.mapping"))
    st.caption(t("import.mapping_caption"))
    not_imported = t("import.not_imported")
    frame = importer.mapping_frame(staged, not_imported)
    choices = [not_imported] + [c.name for c in TABLES[table].columns]
    signature = abs(hash(tuple(frame["target"]))) % 10**9
    grid = st.columns(3)
    new = {}
    for position, row in enumerate(frame.itertuples()):
        # headers and values come from the file: escaped, as widget labels render markdown
        label = escape_markdown(row.source) + (f"  ·  {escape_markdown(row.sample)}" if row.sample else "")
        if pd.notna(row.confidence) and row.confidence < 100:  # a fuzzy guess, not a name or alias
            label += "  ·  " + t("import.guessed", pct=int(row.confidence))
        picked = grid[position % 3].selectbox(
            label, choices, index=choices.index(row.target), key=f"imp_map_{table}_{signature}_{position}",
            help=t("import.col.target"),
            format_func=lambda name: name if name == not_imported else importer.column_label(table, name, language()),
        )
        new[row.source] = "" if picked == not_imported else picked
    old = {row.source: ("" if row.target == not_imported else row.target) for row in frame.itertuples()}
    return new if new != old else None


def render_problems(problems: list[dict]) -> None:
    st.error(t("import.problems", n=len(problems)), icon="⛔")
    render_problem_table(problems, "import.problems_download", "import_problems.csv")


def render_problem_table(problems: list[dict], download_key: str, file_name: str) -> None:
    """The first 50 problems and a download of all of them (row, column, value, problem, fix)."""
    frame = pd.DataFrame(
        [{k: "" if v is None else str(v) for k, v in p.items()} for p in problems],
        columns=["row", "column", "value", "problem", "fix"],
    )
    st.dataframe(
        frame.head(50),
        hide_index=True,
        width="stretch",
        column_config={name: st.column_config.TextColumn(t(f"import.col.{name}")) for name in frame.columns},
    )
    st.download_button(
        t(download_key),
        data=neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig"),  # values come from the file
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=f"download_{file_name}",
    )


def render_preview(staged, lang: str) -> None:
    st.subheader(t("import.preview"))
    preview = staged.preview
    cards = st.columns(5)
    cards[0].metric(t("import.count.read"), f"{staged.rows_read:,}", border=True)
    cards[1].metric(t("import.count.new"), f"{preview.get('new', 0):,}", border=True)
    cards[2].metric(t("import.count.updated"), f"{preview.get('updated', 0):,}", border=True)
    cards[3].metric(t("import.count.unchanged"), f"{preview.get('unchanged', 0):,}", border=True)
    cards[4].metric(t("import.count.rejected"), f"{len({p.row for p in staged.problems if p.row}) + staged.skipped_rows:,}", border=True)
    if staged.skipped and staged.ok:
        st.warning(t("import.skip_summary", n=f"{staged.rows.num_rows:,}", skipped=f"{staged.skipped_rows:,}"), icon="⚠️")
        render_problem_table(staged.skipped_problem_rows(lang), "import.skipped_download", "skipped_rows.csv")
    facts = []
    if preview.get("first_date"):
        facts.append(t("import.date_range", first=format_date(preview["first_date"], lang), last=format_date(preview["last_date"], lang)))
    if preview.get("accounts") is not None:
        facts.append(t("import.accounts_affected", n=preview["accounts"]))
    if staged.missing_accounts:
        facts.append(t("import.missing_accounts", n=len(staged.missing_accounts)))
    if facts:
        st.caption(" · ".join(facts))
    if staged.notices:
        st.info("\n".join(f"- {escape_markdown(zh if lang == 'zh' else en)}" for zh, en in staged.notices), icon="ℹ️")
    if staged.rows.num_rows:
        st.caption(t("import.sample_rows"))
        st.dataframe(importer.sample_rows(staged), hide_index=True, width="stretch")


def render_commit(staged) -> None:
    left, right = st.columns([2, 1])
    mode = left.radio(t("import.mode"), list(MODES), format_func=lambda m: t(f"import.mode.{m}"), key="imp_mode", horizontal=True)
    replace_all = mode == "replace" and right.checkbox(t("import.replace_all"), key="imp_replace_all")
    if st.button(t("import.commit", n=f"{staged.rows.num_rows:,}"), type="primary", disabled=not staged.ok, key="imp_commit"):
        try:
            auth.require_action("import")  # checked again here, not only by hiding the uploader
            with st.spinner(t("import.committing")):
                record = importer.commit(staged, mode, "all" if replace_all else "range")
        except ImportRejected as rejected:
            render_problems([p.as_dict(language()) for p in rejected.problems])
            return
        except DatabaseLocked:
            st.warning(t("import.db_locked"), icon="⏳")
            return
        except PermissionDenied as denied:
            auth.show_denied(denied)
            return
        st.session_state["imp_done"] = t(
            "import.done", id=record["import_id"], new=f"{record['rows_inserted']:,}", updated=f"{record['rows_updated']:,}"
        ) + (" " + t("import.done_skipped", skipped=f"{record['rows_rejected']:,}") if record["rows_rejected"] else "")
        st.session_state["imp_upload_round"] = st.session_state.get("imp_upload_round", 0) + 1
        st.rerun()


def render_history() -> None:
    st.subheader(t("import.history"))
    try:
        history = importer.load_history()
    except DatabaseLocked:
        st.warning(t("import.db_locked"), icon="⏳")
        return
    if history.empty:
        st.info(t("import.history_empty"), icon="ℹ️")
        return
    shown = history[["import_id", "table_name", "file_name", "mode", "status", "rows_inserted", "rows_updated", "rows_rejected", "started_at"]]
    shown = shown.assign(status=[t(f"import.status.{s}") for s in shown["status"]])
    render_download_table(
        shown,
        file_name="imports.csv",
        column_config={name: st.column_config.Column(t(f"import.col.{name}")) for name in shown.columns},
    )
    render_history_rejects(history)
    committed = history.loc[history["status"] == "committed", "import_id"].tolist()
    if not committed or not auth.can("undo_import"):
        return
    left, right = st.columns([2, 1])
    pick = left.selectbox(t("import.undo_pick"), committed, key="imp_undo_pick")
    if right.button(t("import.undo"), key="imp_undo"):
        try:
            auth.require_action("undo_import")
            result = importer.undo(int(pick))
        except PermissionDenied as denied:
            auth.show_denied(denied)
            return
        except UndoRefused as refused:
            st.error(t("import.undo_refused", message=escape_markdown(str(refused))), icon="⛔")
            return
        except DatabaseLocked:
            st.warning(t("import.db_locked"), icon="⏳")
            return
        st.session_state["imp_done"] = t(
            "import.undone", id=result["import_id"], deleted=f"{result['rows_deleted']:,}", restored=f"{result['rows_restored']:,}"
        )
        st.rerun()


def render_history_rejects(history: pd.DataFrame) -> None:
    """The rows an earlier import set aside (skip-invalid), downloadable per import."""
    with_rejects = history.loc[history["rows_rejected"] > 0, "import_id"].tolist()
    if not with_rejects:
        return
    pick = st.selectbox(t("import.rejects_pick"), with_rejects, key="imp_rejects_pick")
    render_problem_table(importer.load_rejects(int(pick), language()), "import.skipped_download", f"import_{int(pick)}_skipped.csv")


def render_page() -> None:
    lang = language()
    st.title(t("import.heading"))
    st.info(t("import.intro"), icon="ℹ️")
    if "imp_done" in st.session_state:
        st.success(st.session_state.pop("imp_done"), icon="✅")
    if not auth.can("import"):  # a viewer sees the history only
        st.info(t("access.import.viewer"), icon=":material/lock:")
        render_history()
        return
    table = st.selectbox(t("import.table"), list(TABLES), format_func=table_label, key="imp_table")
    render_templates(table)
    upload = st.file_uploader(
        t("import.upload"), type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "xlsb", "ods"], key=f"imp_file_{st.session_state.get('imp_upload_round', 0)}"
    )
    if upload is not None:
        data = upload.getvalue()
        file_name = safe_file_name(upload.name)  # a label only; never part of a path
        is_xlsx = data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # any workbook: zip-based or OLE2 (.xls)
        sheets = importer.list_sheets(data) if is_xlsx else []
        options = render_options(table, is_xlsx, sheets)
        overrides = st.session_state.get(f"imp_overrides_{table}_{file_name}", {})
        values_key = f"imp_recodes_{table}_{file_name}"
        if st.session_state.get(values_key):
            options["recodes"] = st.session_state[values_key]
        profile_key = f"imp_profile_{table}_{file_name}"
        if st.session_state.get(profile_key) is False:  # the user turned the saved settings off
            options["profile"] = False
        bar = st.empty()

        def show_progress(fraction: float, step: str) -> None:
            bar.progress(fraction, text=t(f"import.step.{step}"))

        staged = importer.stage_upload(
            data, file_name, table, {**options, "mapping": overrides} if overrides else options, progress=show_progress
        )
        bar.empty()
        if isinstance(staged, ImportRejected):
            st.error(t("import.rejected", message=escape_markdown(staged.message(lang))), icon="⛔")
            render_problems([p.as_dict(lang) for p in staged.problems])
        else:
            render_table_proposal(staged, table)
            render_profile_choice(staged, profile_key)
            changed = render_mapping(staged, table)
            if changed is not None:
                st.session_state[f"imp_overrides_{table}_{file_name}"] = changed
                st.rerun()
            render_value_mapping(staged, table, values_key)
            render_preview(staged, lang)
            if staged.problems:
                render_problems(staged.problem_rows(lang))
            render_commit(staged)
    render_history()


ensure_router()
render_page()
