"""HTML reports with inline SVG charts (报表). Self-contained pages: they work offline.

The settlement report is built in three steps, pure until the last::

    summary = summarise(settlements)                  # pyarrow.Table → SettlementSummary
    html = render_settlement_report(summary, meta)    # → str
    write_report(out_dir / "settlement.html", html)   # atomic write
"""

from yibao.report.output import write_report
from yibao.report.settlement_report import (
    ReportMeta,
    SettlementSummary,
    render_settlement_report,
    summarise,
)

__all__ = [
    "ReportMeta",
    "SettlementSummary",
    "render_settlement_report",
    "summarise",
    "write_report",
]
