"""The dashboard's tables: each a title, columns and rows of plain values, shown beside its
chart and exported as CSV or XLSX from the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from cases.models import FundingSource, Outcome, Stage

from .selectors import NO_DIVISION

TABLE_KEYS = [
    "stages",
    "themes",
    "divisions",
    "years",
    "outcomes",
    "lead_stages",
    "lead_nodes",
    "overdue",
    "funding",
    "emissions",
]


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    # Which columns the chart draws (indexes into a row), and the chart's description.
    chart_columns: list[int] = field(default_factory=list)
    description: str = ""
    unit: str = ""
    # The columns that name a bar group in the chart.
    label_columns: list[int] = field(default_factory=lambda: [0])

    @property
    def chart(self) -> dict | None:
        return bar_chart(self) if self.chart_columns and self.rows else None


def node_titles() -> dict[str, str]:
    from workflows.flows import PilotFlow

    return {node.name: str(node.task_title) for node in PilotFlow.instance.nodes()}


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def build_tables(figures: dict) -> dict[str, Table]:
    stage_labels = dict(Stage.choices)
    funding_labels = dict(FundingSource.choices)
    titles = node_titles()
    tables = [
        Table(
            "stages",
            _("Pilots by stage"),
            [_("Stage"), _("Pilots")],
            [[str(label), figures["by_stage"][value]] for value, label in Stage.choices],
            [1],
            _("How many pilots are at each stage of the lifecycle."),
        ),
        Table(
            "themes",
            _("Pilots by platform theme"),
            [_("Theme"), _("Pilots")],
            [[theme, count] for theme, count in sorted(figures["by_theme"].items())],
            [1],
            _("How many pilots each platform theme carries."),
        ),
        Table(
            "divisions",
            _("Pilots by division"),
            [_("Division"), _("Pilots"), _("Open"), _("Scaled")],
            [
                [
                    division if division != NO_DIVISION else _("Not matched yet"),
                    row["pilots"],
                    row["open"],
                    row["scaled"],
                ]
                for division, row in sorted(figures["by_division"].items())
            ],
            [1, 2],
            _("All pilots and open pilots of each division."),
        ),
        Table(
            "years",
            _("Pilots by year of planned start"),
            [_("Year"), _("Pilots")],
            [[year, count] for year, count in sorted(figures["by_year"].items())],
            [1],
            _("How many pilots start each year."),
        ),
        Table(
            "outcomes",
            _("Outcomes of closed pilots"),
            [_("Outcome"), _("Pilots")],
            [[str(label), figures["by_outcome"][value]] for value, label in Outcome.choices],
            [1],
            _(
                "How closed pilots ended; scaled pilots went into production, onto the market "
                "or to other cities."
            ),
        ),
        Table(
            "lead_stages",
            _("Lead time per stage (days)"),
            [_("Stage"), _("Completed"), _("Median"), _("90th percentile")],
            [
                [str(stage_labels[stage]), row["count"], row["median"], row["p90"]]
                for stage, row in figures["lead_times"]["stages"].items()
            ],
            [2, 3],
            _("From the first task of a stage to the last one done, per pilot."),
            _("days"),
        ),
        Table(
            "lead_nodes",
            _("Lead time per task (days)"),
            [
                _("Task"),
                _("Completed"),
                _("Median"),
                _("90th percentile"),
                _("Open now"),
                _("Longest open wait"),
            ],
            [
                [
                    titles.get(node, node),
                    row["count"],
                    row["median"],
                    row["p90"],
                    row["open"],
                    row["oldest_open"],
                ]
                for node, row in figures["lead_times"]["nodes"].items()
            ],
            [2, 3],
            _("From the creation of a task to its completion."),
            _("days"),
        ),
        Table(
            "overdue",
            _("Open and overdue tasks per division"),
            [_("Division"), _("Open tasks"), _("Overdue tasks")],
            [
                [
                    division if division != NO_DIVISION else _("Not matched yet"),
                    row["open"],
                    row["overdue"],
                ]
                for division, row in sorted(figures["overdue"].items())
            ],
            [1, 2],
            _("Tasks past their due date, by the division of the pilot."),
        ),
        Table(
            "funding",
            _("Funding by source and year (EUR)"),
            [_("Year"), _("Source"), _("EUR")],
            [
                [year, str(funding_labels[source]), _number(amount)]
                for (year, source), amount in sorted(
                    figures["funding"].items(),
                    key=lambda item: (item[0][0], FundingSource.values.index(item[0][1])),
                )
            ],
            [2],
            _("Euros each funding source brings to the pilots starting in a year."),
            "EUR",
        ),
        Table(
            "emissions",
            _("Emission reductions (t CO2e a year)"),
            [
                _("Year"),
                _("Pilots with an estimate"),
                _("Estimated"),
                _("Pilots measured"),
                _("Measured"),
            ],
            [
                [
                    year,
                    row["estimated_count"],
                    _number(row["estimated"]),
                    row["measured_count"],
                    _number(row["measured"]),
                ]
                for year, row in sorted(figures["emissions"].items())
            ],
            [2, 4],
            _("Estimated in the proposals and measured in the division's evaluation."),
            "t CO2e",
        ),
    ]
    tables[TABLE_KEYS.index("funding")].label_columns = [0, 1]
    return {table.key: table for table in tables}


# -- charts: horizontal bars, drawn as inline SVG by the template ------------------------------

BAR = 14
GAP = 6
LABEL_WIDTH = 260
PLOT_WIDTH = 360


def bar_chart(table: Table) -> dict:
    """The geometry of a horizontal bar chart of the table's chart columns: one group of bars
    per row, one bar per column, the longest bar filling the plot."""
    values = [row[index] or 0 for row in table.rows for index in table.chart_columns]
    peak = max(values) if values else 0
    groups = []
    y = 0
    for row in table.rows:
        bars = []
        for series, index in enumerate(table.chart_columns):
            value = row[index] or 0
            width = round(PLOT_WIDTH * float(value) / float(peak), 1) if peak else 0
            bars.append(
                {
                    "y": y + series * BAR,
                    # Strings: SVG wants a dot decimal whatever the page's language.
                    "width": f"{width:g}",
                    "value": row[index],
                    "series": series,
                    "text_x": f"{LABEL_WIDTH + width + 4:g}",
                    "text_y": y + series * BAR + BAR - 3,
                }
            )
        height = BAR * len(table.chart_columns)
        label = " · ".join(str(row[index]) for index in table.label_columns)
        groups.append({"label": label, "label_y": y + height // 2 + 4, "bars": bars})
        y += height + GAP
    return {
        "groups": groups,
        "height": y,
        "width": LABEL_WIDTH + PLOT_WIDTH + 80,
        "label_width": LABEL_WIDTH,
        "legend": [table.columns[index] for index in table.chart_columns],
    }
