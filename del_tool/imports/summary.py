"""The dry run as text (`del-tool import`): counts per sheet, refusals, likely duplicates,
conflicts with DEL's changes (both values), and the columns and sheets not used."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def summary_text(plan: Any) -> str:
    """The dry run as lines: counts per sheet, refusals, possible duplicates, what was ignored."""
    from del_tool.imports.commit import shown_kinds
    from del_tool.imports.sheets import SHEETS

    lines = []
    for kind in shown_kinds(plan):
        counts = plan.counts[kind]
        lines.append(
            _(
                "%(sheet)s: %(create)s oprettes, %(update)s opdateres, %(unchanged)s uændret, "
                "%(refused)s afvist",
                sheet=str(SHEETS[kind].title),
                create=counts.create,
                update=counts.update,
                unchanged=counts.unchanged,
                refused=counts.refused,
            )
        )
    for refusal in plan.refusals:
        where = _("række %(row)s", row=refusal.row) if refusal.row else _("arket")
        column = f", {refusal.column}" if refusal.column else ""
        lines.append(f"  {refusal.sheet}, {where}{column}: {refusal.reason}")
    for duplicate in plan.duplicates:
        similar = duplicate.similar
        lines.append(
            _(
                "  %(sheet)s, række %(row)s: ligner borger %(id)s (%(name)s, født %(year)s, "
                "%(unit)s)",
                sheet=duplicate.sheet,
                row=duplicate.row,
                id=similar.citizen_id,
                name=similar.name,
                year=similar.birth_year,
                unit=similar.unit_name,
            )
        )
    for conflict in plan.conflicts:
        spec = SHEETS[conflict.kind]
        values = "; ".join(
            _(
                "%(column)s: filen %(ours)s, DEL %(theirs)s",
                column=str(spec.column(name).header),
                ours=repr(ours),
                theirs=repr(theirs),
            )
            for name, ours, theirs in conflict.fields
        )
        kept = _("overskrives") if conflict.overwritten else _("DEL's værdier beholdes")
        lines.append(
            _(
                "  %(sheet)s, række %(row)s: ændret i DEL siden indlæsningen (%(kept)s): "
                "%(values)s",
                sheet=conflict.sheet,
                row=conflict.row,
                kept=kept,
                values=values,
            )
        )
    for sheet, column in plan.ignored_columns:
        lines.append(_("  %(sheet)s: kolonnen %(column)s bruges ikke", sheet=sheet, column=column))
    for sheet in plan.ignored_sheets:
        lines.append(_("  Arket %(sheet)s bruges ikke", sheet=sheet))
    return "\n".join(lines)
