"""Reports: documentation, effect, learning, economy, and council summaries for municipalities.

The package has the shape of what it builds; dependencies point one way, down this list:

- ``common``: what every report reads and shares: ``period`` and ``selection`` (what a report
  covers and who may see it), ``queries`` (narrow SQL into pandas frames), ``frames`` (shaping
  them), ``scales`` (what a report knows of a questionnaire scale), ``coverage`` (documentation
  measures), ``context`` (the inputs of one build), ``model`` (``Report``, ``Section``,
  ``Table``, ``ChartSpec``: what builders produce) and ``labels`` (lazily translated texts).
- one package per report kind, each building ``model.Report`` data from frames with every
  statistic from ``del_tool.stats``: ``effect`` (with goal attainment), ``documentation``,
  ``benchmark`` (funnels and the adjusted comparison of units), ``economy``, ``learning`` and
  ``council`` (with disclosure control). A later kind may use an earlier one, never the reverse.
- ``rendering``: built reports shown: ``pages`` (the web page and the PDF), ``spreadsheet``
  (XLSX and CSV), ``charts`` (matplotlib's Figure API), ``display`` and ``formatting``. It knows
  the report model, not how any report is built.
- on top: ``services`` (build a report of a kind, council packs), ``builds`` and ``versions``
  (built reports in the shared store), ``tasks`` (their jobs), ``codec``, ``forms``,
  ``views`` (blueprint ``reports``) and ``cli`` (``del-tool reports council``).

Importing this package imports nothing else, so a command that needs one period parser does not
load pandas and matplotlib. The entry points, also used by the benchmark (no request needed;
rendering uses the app's default language outside a request):

``effect.report.build_effect_report(*, session, scope, period, filters, viewer, today)``
    The effect report's data without rendering. ``scope`` comes from
    ``common.selection.resolve_scope("region" | "centre:ID" | "unit:ID", session=...)``,
    ``period`` from ``common.period.parse_period("2026Q3")``. The documentation, learning and
    economy builders take the same arguments (``services.build_report(kind, ...)`` picks one);
    ``viewer`` (a user's ``Scope``) makes the builder refuse scopes outside it
    (``AccessDeniedError``) and decides whether names show.
``council.report.build_council_summary(*, session, municipality_code, period, viewer, benchmark)``
    The council summary's data; ``benchmark`` (``council.report.region_benchmark``) can be shared.
``rendering.pages.render_report_html`` / ``render_report_pdf``,
``rendering.spreadsheet.render_report_xlsx`` / ``render_report_csv``
    A page (str), a PDF, an XLSX workbook, a ZIP of CSV files (bytes).
``services.build_council_pack(*, session, municipality_code, period, benchmark)``
    One municipality's pack for a customer-council meeting: (PDF, XLSX) bytes.
"""
