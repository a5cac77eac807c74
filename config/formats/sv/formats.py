"""Swedish as written in Finland (sv-FI): day.month.year dates, as in Finnish, over the
year-month-day of Sweden that Django's own Swedish formats use. The rest is Django's sv."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j.n.Y"
DATETIME_FORMAT = "j F Y \\k\\l. H.i"
SHORT_DATETIME_FORMAT = "j.n.Y H.i"
TIME_FORMAT = "H.i"
DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '23.11.2026'
    "%d.%m.%y",  # '23.11.26'
    "%Y-%m-%d",  # '2026-11-23'
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H.%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d.%m.%Y",
    "%Y-%m-%d",
]
