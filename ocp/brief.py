"""The OCP final brief of an edition: what stakeholders submitted, in figures.

``brief_tables`` counts the edition's submitted entries (every status but draft
and withdrawn) of the five kinds, by kind, stakeholder type, region, country,
Action Line, SDG, and the workshop requests by format, track, binding request
and their speakers' gender. Every count is an aggregate query, so the number
of queries does not grow with the number of entries. Each table serves the
page, its chart and its CSV file.

``final_brief_publish`` and ``final_brief_unpublish`` are the only writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, QuerySet, Value
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from wsis_portal.accounts.models import Gender
from wsis_portal.editions.models import Edition, Track
from wsis_portal.reference.models import (
    ActionLine,
    Region,
    SessionFormat,
    StakeholderType,
    SustainableDevelopmentGoal,
)

from .enums import OcpStatus
from .models import OCP_MODELS, FinalBrief, OcpSubmission, Speaker, WorkshopRequest

#: Submitted entries: every status but the draft and the withdrawn entry.
COUNTED_STATUSES = [status for status in OcpStatus.values if status not in (OcpStatus.DRAFT, OcpStatus.WITHDRAWN)]
#: The gender balance the forum aims at among the proposed speakers.
GENDER_TARGET = 50


class BriefError(Exception):
    """A change of the brief the service refuses; ``message`` is meant for the staff member."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BriefRow:
    label: str
    count: int
    share: float  # per cent of the table's total, one decimal


@dataclass(frozen=True)
class BriefTable:
    """One table of the brief: its rows, and how the page, chart and CSV name them."""

    slug: str
    title: str
    column: str  # the heading of the labels' column
    count_label: str  # what is counted: entries, speakers, mentions
    rows: list[BriefRow]
    note: str = ""
    target: int | None = None  # a share to reach, drawn as a line (per cent)

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    @property
    def largest(self) -> int:
        return max((row.count for row in self.rows), default=0)

    def csv_rows(self) -> Iterable[list[str]]:
        """A header, a row per line of the table, and the total (for ``ocp.export.as_csv``)."""
        yield [str(self.column), str(self.count_label), gettext("Share (%)")]
        for row in self.rows:
            yield [row.label, str(row.count), f"{row.share:.1f}"]
        yield [gettext("Total"), str(self.total), "100.0" if self.total else "0.0"]


def shares(counts: list[int]) -> list[float]:
    """Per cent of the sum, to one decimal, adding up to exactly 100 (the
    largest remainders get the tenths that rounding down leaves over)."""
    total = sum(counts)
    if not total:
        return [0.0 for _count in counts]
    exact = [count * 1000 / total for count in counts]
    tenths = [int(value) for value in exact]
    left = 1000 - sum(tenths)
    by_remainder = sorted(range(len(counts)), key=lambda index: exact[index] - tenths[index], reverse=True)
    for index in by_remainder[:left]:
        tenths[index] += 1
    return [value / 10 for value in tenths]


def _table(slug, title, column, count_label, labelled_counts: list[tuple[str, int]], **extra) -> BriefTable:
    counts = [count for _label, count in labelled_counts]
    rows = [
        BriefRow(label=str(label), count=count, share=share)
        for (label, count), share in zip(labelled_counts, shares(counts), strict=True)
    ]
    return BriefTable(slug=slug, title=title, column=column, count_label=count_label, rows=rows, **extra)


def _by_count(labelled_counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(labelled_counts, key=lambda item: (-item[1], str(item[0])))


# Selectors.


def counted_entries(model: type[OcpSubmission], *, edition: Edition) -> QuerySet:
    """The edition's submitted entries of ``model`` (tenant explicit)."""
    return model.objects.filter(tenant_id=edition.tenant_id, call__edition=edition, status__in=COUNTED_STATUSES)


def _union_counts(querysets: list[QuerySet]) -> list[dict]:
    """One query for the grouped counts of several models (UNION ALL keeps
    equal rows of different models apart)."""
    first, *others = [queryset.order_by() for queryset in querysets]
    return list(first.union(*others, all=True)) if others else list(first)


def _entries_grouped(*, edition: Edition) -> list[dict]:
    return _union_counts(
        [
            counted_entries(model, edition=edition)
            .values("organisation__stakeholder_type_id", "organisation__country", kind=Value(model.url_kind))
            .annotate(count=Count("pk"))
            for model in OCP_MODELS
        ]
    )


def _models_with(field: str) -> list[type[OcpSubmission]]:
    return [model for model in OCP_MODELS if any(f.name == field for f in model._meta.many_to_many)]


def _choices_counted(field: str, *, edition: Edition) -> Counter:
    """How many submitted entries name each Action Line (or SDG), all kinds together."""
    rows = _union_counts(
        [
            counted_entries(model, edition=edition).values(field).annotate(count=Count("pk"))
            for model in _models_with(field)
        ]
    )
    counted: Counter = Counter()
    for row in rows:
        if row[field] is not None:
            counted[row[field]] += row["count"]
    return counted


def _regions_of(codes: Counter, regions: list[Region]) -> list[tuple[str, int]]:
    """Entries by region of their organisation's country; a country in no
    region is counted as such (a country in several regions counts in each)."""
    counted = []
    placed: set[str] = set()
    for region in regions:
        members = {getattr(country, "code", country) for country in region.countries}
        placed |= members
        counted.append((region.name, sum(count for code, count in codes.items() if code in members)))
    unplaced = sum(count for code, count in codes.items() if code and code not in placed)
    if unplaced:
        counted.append((gettext("In no region"), unplaced))
    if codes.get(""):
        counted.append((gettext("Not given"), codes[""]))
    return counted


@dataclass(frozen=True)
class BriefFigures:
    tables: list[BriefTable]
    entries: int  # submitted entries of every kind
    countries: int  # countries of the submitting organisations
    speakers: int  # speakers proposed by the workshop requests

    def table(self, slug: str) -> BriefTable | None:
        return next((table for table in self.tables if table.slug == slug), None)


def brief_figures(*, edition: Edition) -> BriefFigures:
    """Every table of the edition's brief, in the order the page shows them,
    and the totals (a fixed number of queries, however many entries)."""
    entries = _entries_grouped(edition=edition)
    by_kind: Counter = Counter()
    by_type: Counter = Counter()
    by_country: Counter = Counter()
    for row in entries:
        by_kind[row["kind"]] += row["count"]
        by_type[row["organisation__stakeholder_type_id"]] += row["count"]
        by_country[row["organisation__country"] or ""] += row["count"]

    kinds = [(capfirst(model._meta.verbose_name_plural), by_kind[model.url_kind]) for model in OCP_MODELS]
    types = [(item.name, by_type[item.pk]) for item in StakeholderType.objects.all()]
    if by_type.get(None):
        types.append((gettext("Not given"), by_type[None]))
    country_rows = _by_count((countries.name(code), count) for code, count in by_country.items() if code)
    if by_country.get(""):
        country_rows.append((gettext("Not given"), by_country[""]))

    lines = _choices_counted("action_lines", edition=edition)
    goals = _choices_counted("sdgs", edition=edition)

    workshops = list(
        counted_entries(WorkshopRequest, edition=edition)
        .order_by()
        .values("session_format_id", "track_id", "binding_request")
        .annotate(count=Count("pk"))
    )
    by_format: Counter = Counter()
    by_track: Counter = Counter()
    by_binding: Counter = Counter()
    for row in workshops:
        by_format[row["session_format_id"]] += row["count"]
        by_track[row["track_id"]] += row["count"]
        by_binding[row["binding_request"]] += row["count"]
    formats = [(item.name, by_format[item.pk]) for item in SessionFormat.objects.all()]
    if by_format.get(None):
        formats.append((gettext("Not given"), by_format[None]))
    tracks = [(item.name, by_track[item.pk]) for item in Track.objects.filter(edition=edition)]
    tracks.append((gettext("No special track"), by_track[None]))

    genders = Counter(
        dict(
            Speaker.objects.filter(workshop__in=counted_entries(WorkshopRequest, edition=edition))
            .order_by()
            .values_list("gender")
            .annotate(count=Count("pk"))
        )
    )

    entries_label = _("Entries")
    workshops_label = _("Workshop requests")
    mentions_note = _("An entry may name several; the shares are of all mentions.")
    tables = [
        _table("kinds", _("Entries by kind"), _("Kind"), entries_label, kinds),
        _table("stakeholder-types", _("Entries by stakeholder type"), _("Stakeholder type"), entries_label, types),
        _table(
            "regions",
            _("Entries by region"),
            _("Region"),
            entries_label,
            _regions_of(by_country, list(Region.objects.all())),
            note=_("By the country of the submitting organisation."),
        ),
        _table(
            "countries",
            _("Entries by country"),
            _("Country"),
            entries_label,
            country_rows,
            note=_("By the country of the submitting organisation."),
        ),
        _table(
            "action-lines",
            _("Entries by Action Line"),
            _("Action Line"),
            _("Mentions"),
            [(str(line), lines[line.pk]) for line in ActionLine.objects.all()],
            note=mentions_note,
        ),
        _table(
            "sdgs",
            _("Entries by Sustainable Development Goal"),
            _("Sustainable Development Goal"),
            _("Mentions"),
            [(str(goal), goals[goal.pk]) for goal in SustainableDevelopmentGoal.objects.all()],
            note=mentions_note,
        ),
        _table("formats", _("Workshop requests by format"), _("Session format"), workshops_label, formats),
        _table("tracks", _("Workshop requests by special track"), _("Special track"), workshops_label, tracks),
        _table(
            "binding",
            _("Binding and non-binding workshop requests"),
            _("Request"),
            workshops_label,
            [(gettext("Binding"), by_binding[True]), (gettext("Not binding"), by_binding[False])],
        ),
        _table(
            "speaker-gender",
            _("Proposed workshop speakers by gender"),
            _("Gender"),
            _("Speakers"),
            [
                (gettext("Women"), genders[Gender.FEMALE]),
                (gettext("Men"), genders[Gender.MALE]),
                (gettext("Another gender"), genders[Gender.OTHER]),
                (gettext("Not given"), genders[Gender.UNDISCLOSED] + genders[""]),
            ],
            note=_("The forum aims at a 50/50 balance of women and men."),
            target=GENDER_TARGET,
        ),
    ]
    return BriefFigures(
        tables=tables,
        entries=sum(by_kind.values()),
        countries=sum(1 for code in by_country if code),
        speakers=sum(genders.values()),
    )


def brief_for_edition(*, edition: Edition) -> FinalBrief | None:
    return FinalBrief.objects.filter(edition=edition).first()


def brief_is_public(brief: FinalBrief | None, *, now: dt.datetime) -> bool:
    return brief is not None and brief.published_at is not None and brief.published_at <= now


# Write services.


def _check_may_change(brief: FinalBrief, by) -> None:
    if not by.has_perm("tenants.manage_tenant", brief.edition.tenant):
        raise BriefError(gettext("You may not publish or withdraw %(brief)s.") % {"brief": brief})


def _set_published_at(brief: FinalBrief, *, by, value: dt.datetime | None) -> bool:
    _check_may_change(brief, by)
    with transaction.atomic():
        # Locked, so that two managers publishing at once change it (and its history) once.
        locked = FinalBrief.objects.select_for_update().get(pk=brief.pk)
        if (locked.published_at is None) == (value is None):
            return False
        locked.published_at = value
        locked._history_user = by
        locked.save(update_fields=["published_at", "updated_at"])
    brief.published_at = value
    return True


def final_brief_publish(brief: FinalBrief, *, by, now: dt.datetime | None = None) -> bool:
    """Make the brief public from ``now``; only managers of its tenant (and
    operators). False when it was already published (its date is kept)."""
    return _set_published_at(brief, by=by, value=now or timezone.now())


def final_brief_unpublish(brief: FinalBrief, *, by) -> bool:
    """Take the brief back from the public; False when it was not published."""
    return _set_published_at(brief, by=by, value=None)
