"""Import of entries from the legacy stocktaking database (a CSV file, layout
in docs/stocktaking.md): creates or updates entries by ``external_id``, so
running it again changes nothing new.

Every row is checked first; a rejected row is reported with its line number
and the reasons, and the others are written in batches (bulk inserts and
updates with history, the many-to-many and country rows replaced per batch,
the search vectors refreshed per batch).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django_countries import countries
from simple_history.utils import bulk_create_with_history

from wsis_portal.reference.models import ActionLine, Region, StakeholderType, SustainableDevelopmentGoal

from .enums import Coverage, EntryKind, EntryStatus, ProjectStatus
from .models import FIRST_YEAR, LAST_YEAR, Collection, Entry, EntryCountry
from .search import entry_refresh_search
from .services import region_countries, region_ids_for

COLUMNS = [
    "external_id",
    "title",
    "description",
    "kind",
    "language",
    "organisation_name",
    "stakeholder_type",
    "countries",
    "coverage",
    "action_lines",
    "sdgs",
    "start_year",
    "end_year",
    "project_status",
    "website",
    "beneficiaries",
    "partners",
    "collections",
    "published_on",
    "confirmed_on",
]
REQUIRED = ["external_id", "title"]
BATCH = 1000
# The fields the import writes on an existing entry (status and owner are kept).
UPDATED_FIELDS = [
    "title",
    "description",
    "kind",
    "language",
    "organisation_name",
    "stakeholder_type",
    "countries",
    "coverage",
    "start_year",
    "end_year",
    "project_status",
    "website",
    "beneficiaries",
    "partners",
    "published_at",
    "confirmed_at",
    "updated_at",
]


@dataclass
class Rejected:
    line: int
    external_id: str
    reasons: list[str]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ";").split(";") if part.strip()]


class _References:
    """Every lookup table, loaded once."""

    def __init__(self, tenant):
        self.lines = {line.code.upper(): line.pk for line in ActionLine.objects.all()}
        self.goals = {goal.number: goal.pk for goal in SustainableDevelopmentGoal.objects.all()}
        self.types = {}
        for item in StakeholderType.objects.all():
            self.types[item.slug.lower()] = item.pk
            self.types[item.name.lower()] = item.pk
        self.collections = {item.slug.lower(): item.pk for item in Collection.objects.filter(tenant=tenant)}
        self.regions = region_countries(list(Region.objects.all()))
        with translation.override("en"):
            self.country_names = {str(name).lower(): code for code, name in countries}
        self.languages = {code for code, _name in Entry._meta.get_field("language").choices}

    def country(self, value: str) -> str:
        code = countries.alpha2(value) if len(value) in (2, 3) or value.isdigit() else ""
        return code or self.country_names.get(value.lower(), "")


def _year(value: str, name: str, reasons: list[str]) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        reasons.append(f"bad {name} “{value}” (a year from {FIRST_YEAR} to {LAST_YEAR})")
        return None
    return int(value)


def _moment(value: str, name: str, reasons: list[str]) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        reasons.append(f"bad {name} “{value}” (YYYY-MM-DD)")
        return None
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def _choice(value: str, choices, name: str, default: str, reasons: list[str]) -> str:
    if not value:
        return default
    value = value.strip().lower()
    if value not in choices.values:
        reasons.append(f"unknown {name} “{value}”")
    return value


@dataclass
class _Row:
    line: int
    values: dict
    lines: list[int]
    goals: list[int]
    collections: list[int]


def check_row(line: int, row: dict, references: _References) -> tuple[_Row | None, list[str]]:
    """The row's values ready to write, or ``None`` and why not."""
    raw = {name: (row.get(name) or "").strip() for name in COLUMNS}
    reasons = [f"missing {name}" for name in REQUIRED if not raw[name]]
    if len(raw["external_id"]) > 64:
        reasons.append("external_id longer than 64 characters")
    if len(raw["title"]) > 255:
        reasons.append("title longer than 255 characters")
    lines = []
    for code in _split(raw["action_lines"]):
        if code.upper() in references.lines:
            lines.append(references.lines[code.upper()])
        else:
            reasons.append(f"unknown Action Line “{code}”")
    if not lines and raw["action_lines"] == "":
        reasons.append("missing action_lines")
    goals = []
    for number in _split(raw["sdgs"]):
        if number.isdigit() and int(number) in references.goals:
            goals.append(references.goals[int(number)])
        else:
            reasons.append(f"unknown SDG “{number}”")
    codes = []
    for name in _split(raw["countries"]):
        code = references.country(name)
        if code:
            codes.append(code)
        else:
            reasons.append(f"unknown country “{name}”")
    collections = []
    for slug in _split(raw["collections"]):
        if slug.lower() in references.collections:
            collections.append(references.collections[slug.lower()])
        else:
            reasons.append(f"unknown collection “{slug}”")
    stakeholder_type = None
    if raw["stakeholder_type"]:
        stakeholder_type = references.types.get(raw["stakeholder_type"].lower())
        if stakeholder_type is None:
            reasons.append(f"unknown stakeholder type “{raw['stakeholder_type']}”")
    start = _year(raw["start_year"], "start_year", reasons)
    end = _year(raw["end_year"], "end_year", reasons)
    if start and end and end < start:
        reasons.append(f"end_year {end} before start_year {start}")
    language = (raw["language"] or "en").lower()
    if language not in references.languages:
        reasons.append(f"unknown language “{language}”")
    if raw["website"]:
        try:
            URLValidator()(raw["website"])
        except ValidationError:
            reasons.append(f"bad website “{raw['website']}”")
    values = {
        "external_id": raw["external_id"],
        "title": raw["title"][:255],
        "description": raw["description"],
        "kind": _choice(raw["kind"], EntryKind, "kind", EntryKind.PROJECT, reasons),
        "language": language,
        "organisation_name": raw["organisation_name"][:255],
        "stakeholder_type_id": stakeholder_type,
        "countries": sorted(set(codes)),
        "coverage": _choice(raw["coverage"], Coverage, "coverage", Coverage.NATIONAL, reasons),
        "start_year": start,
        "end_year": end,
        "project_status": _choice(raw["project_status"], ProjectStatus, "project_status", "", reasons)
        or (ProjectStatus.COMPLETED if end else ProjectStatus.ONGOING),
        "website": raw["website"],
        "beneficiaries": raw["beneficiaries"],
        "partners": "\n".join(_split(raw["partners"])),
        "published_at": _moment(raw["published_on"], "published_on", reasons),
        "confirmed_at": _moment(raw["confirmed_on"], "confirmed_on", reasons),
    }
    if reasons:
        return None, reasons
    return _Row(line=line, values=values, lines=lines, goals=goals, collections=collections), []


def import_rows(
    rows: Iterable[tuple[int, dict]], *, tenant, status: str = EntryStatus.PUBLISHED, now: dt.datetime | None = None
) -> ImportReport:
    """Create or update the tenant's entries from ``(line number, row)`` pairs
    (see ``read_csv``). New entries are ``status`` (published or pending);
    existing ones keep their status."""
    now = now or timezone.now()
    references = _References(tenant)
    report = ImportReport()
    seen: dict[str, int] = {}
    valid: list[_Row] = []
    for index, row in rows:
        checked, reasons = check_row(index, row, references)
        external_id = (row.get("external_id") or "").strip()
        if checked is not None and external_id in seen:
            checked, reasons = None, [f"external_id “{external_id}” already on line {seen[external_id]}"]
        if checked is None:
            report.rejected.append(Rejected(line=index, external_id=external_id, reasons=reasons))
            continue
        seen[external_id] = index
        valid.append(checked)
    for start in range(0, len(valid), BATCH):
        with transaction.atomic():
            _write_batch(
                valid[start : start + BATCH], tenant=tenant, status=status, now=now, report=report, refs=references
            )
    return report


_THROUGHS = {
    "action_lines": (Entry.action_lines.through, "actionline_id"),
    "sdgs": (Entry.sdgs.through, "sustainabledevelopmentgoal_id"),
    "collections": (Entry.collections.through, "collection_id"),
    "regions": (Entry.regions.through, "region_id"),
}


def _links(row: _Row, refs: _References) -> dict[str, set[int]]:
    return {
        "action_lines": set(row.lines),
        "sdgs": set(row.goals),
        "collections": set(row.collections),
        "regions": set(region_ids_for(set(row.values["countries"]), refs.regions)),
    }


def _current_links(ids: list[int]) -> dict[int, dict[str, set[int]]]:
    """The links of the entries ``ids`` (one query per kind of link)."""
    current: dict[int, dict[str, set[int]]] = {pk: {name: set() for name in _THROUGHS} for pk in ids}
    for name, (model, key) in _THROUGHS.items():
        for entry_id, pk in model.objects.filter(entry_id__in=ids).values_list("entry_id", key):
            current[entry_id][name].add(pk)
    return current


def _content(entry: Entry) -> dict:
    values = {name: getattr(entry, name) for name in UPDATED_FIELDS if name not in ("stakeholder_type", "updated_at")}
    values["countries"] = sorted(getattr(code, "code", code) for code in entry.countries)
    values["stakeholder_type_id"] = entry.stakeholder_type_id
    return values


def _write_batch(batch: list[_Row], *, tenant, status: str, now: dt.datetime, report: ImportReport, refs) -> None:
    """Insert the new entries, update the changed ones (a changed entry is one
    UPDATE: Django's ``bulk_update`` builds a CASE per field and row, slower
    than this), skip the unchanged ones; then replace the links of the
    written entries and refresh their search vectors."""
    existing = {
        entry.external_id: entry
        for entry in Entry.objects.filter(tenant=tenant, external_id__in=[row.values["external_id"] for row in batch])
    }
    current = _current_links([entry.pk for entry in existing.values()])
    new, changed, written = [], [], []
    for row in batch:
        values = dict(row.values)
        published_at = values.pop("published_at") or now
        confirmed_at = values.pop("confirmed_at")
        links = _links(row, refs)
        entry = existing.get(values["external_id"])
        if entry is None:
            entry = Entry(tenant=tenant, status=status, **values)
            if status == EntryStatus.PUBLISHED:
                entry.published_at = published_at
                entry.confirmed_at = confirmed_at or published_at
            else:
                entry.submitted_at = now
            new.append(entry)
            written.append((entry, row, links))
            continue
        before = _content(entry)
        for name, value in values.items():
            setattr(entry, name, value)
        if entry.published_at is not None:
            entry.published_at = published_at
            entry.confirmed_at = confirmed_at or entry.confirmed_at or published_at
        if _content(entry) == before and current[entry.pk] == links:
            report.unchanged += 1
            continue
        entry.updated_at = now
        changed.append(entry)
        written.append((entry, row, links))
    if new:
        bulk_create_with_history(new, Entry, batch_size=BATCH, default_date=now, default_change_reason="import")
    for entry in changed:
        Entry.objects.filter(pk=entry.pk).update(**_content(entry), updated_at=now)
    if changed:
        Entry.history.bulk_history_create(
            changed, update=True, default_date=now, default_change_reason="import", batch_size=BATCH
        )
    report.created += len(new)
    report.updated += len(changed)
    ids = [entry.pk for entry, _row, _links in written]
    if not ids:
        return
    for model, _key in _THROUGHS.values():
        model.objects.filter(entry_id__in=ids).delete()
    EntryCountry.objects.filter(entry_id__in=ids).delete()
    rows = {name: [] for name in _THROUGHS}
    country_rows = []
    for entry, row, links in written:
        for name, (model, key) in _THROUGHS.items():
            rows[name].extend(model(entry_id=entry.pk, **{key: pk}) for pk in sorted(links[name]))
        country_rows.extend(EntryCountry(entry_id=entry.pk, country=code) for code in row.values["countries"])
    for name, (model, _key) in _THROUGHS.items():
        model.objects.bulk_create(rows[name], batch_size=BATCH)
    EntryCountry.objects.bulk_create(country_rows, batch_size=BATCH)
    entry_refresh_search(entry_ids=ids)


def read_csv(path) -> Iterable[tuple[int, dict]]:
    """``(line number, row)`` of a UTF-8 CSV file (a byte order mark is
    allowed); the number is the row's first line in the file (header: 1)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        yield from numbered(handle)


def numbered(lines: Iterable[str]) -> Iterable[tuple[int, dict]]:
    reader = csv.DictReader(lines)
    _header = reader.fieldnames  # reads the header: the first row starts on the next line
    line = reader.line_num + 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def missing_columns(header: Iterable[str]) -> list[str]:
    return [name for name in REQUIRED + ["action_lines"] if name not in set(header)]
