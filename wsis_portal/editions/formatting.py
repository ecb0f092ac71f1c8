"""Deadlines as people read them: "25 January 2021, 23:00 Geneva time (UTC+01:00)"."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import formats
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# The cities people recognise for the time zones editions use most.
ZONE_LABELS = {
    "Europe/Zurich": gettext_lazy("Geneva"),
    "Europe/Paris": gettext_lazy("Paris"),
    "America/New_York": gettext_lazy("New York"),
    "Asia/Tokyo": gettext_lazy("Tokyo"),
    "UTC": "UTC",
}


# "25 January 2021" as each language writes a date in running text. Django's
# DATE_FORMAT is "Jan. 25, 2021" in English; "E" is the month in the genitive.
LONG_DATE_FORMATS = {
    "es": r"j \d\e F \d\e Y",
    "ru": "j E Y г.",
    "zh-hans": "Y年n月j日",
}


def long_date(value) -> str:
    """A date as it is written in a sentence, in the active language."""
    return formats.date_format(value, LONG_DATE_FORMATS.get(get_language(), "j F Y"))


def utc_offset(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" if minutes == 0 else f"UTC{sign}{hours}:{minutes:02d}"


def zone_label(zone: zoneinfo.ZoneInfo) -> str:
    return str(ZONE_LABELS.get(zone.key) or zone.key.rsplit("/", 1)[-1].replace("_", " "))


def format_deadline(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    local = moment.astimezone(zone)
    if zone.key == "UTC":
        return _("%(date)s, %(time)s UTC") % {
            "date": long_date(local),
            "time": local.strftime("%H:%M"),
        }
    return _("%(date)s, %(time)s %(city)s time (%(offset)s)") % {
        "date": long_date(local),
        "time": local.strftime("%H:%M"),
        "city": zone_label(zone),
        "offset": utc_offset(local),
    }
