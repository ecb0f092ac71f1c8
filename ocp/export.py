"""Every column of a list of OCP entries, as rows for CSV and XLSX files.

The entries come from the admin's changelist (tenant-scoped and filtered);
``export_rows`` loads their relations in a fixed number of queries.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from .models import OcpSubmission, Speaker

# Shown by columns of their own, or of no use to the secretariat in a sheet.
SKIPPED_FIELDS = {"tenant", "owner", "organisation"}


def _columns(model: type[OcpSubmission]) -> list[models.Field]:
    fields = [field for field in model._meta.concrete_fields if field.name not in SKIPPED_FIELDS]
    return fields + list(model._meta.many_to_many)


def _cell(entry: OcpSubmission, field: models.Field) -> str:
    if field.many_to_many:
        return "; ".join(str(item) for item in getattr(entry, field.name).all())
    if field.choices and not field.is_relation:
        return force_str(getattr(entry, f"get_{field.name}_display")())
    value = getattr(entry, field.name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _speaker_line(speaker: Speaker) -> str:
    country = str(speaker.country.name or "")
    parts = [speaker.name, speaker.title, speaker.organisation, country, speaker.get_gender_display()]
    return ", ".join(part for part in parts if part)


def export_rows(queryset: QuerySet) -> Iterator[list[str]]:
    """A header row, then one row per entry of ``queryset``."""
    model = queryset.model
    columns = _columns(model)
    is_workshop = any(relation.related_model is Speaker for relation in model._meta.related_objects)
    foreign_keys = [field.name for field in columns if field.many_to_one]
    entries = queryset.select_related(
        *foreign_keys, "owner", "organisation__stakeholder_type", "call__edition"
    ).prefetch_related(*[field.name for field in model._meta.many_to_many])
    if is_workshop:
        entries = entries.prefetch_related(Prefetch("speakers", queryset=Speaker.objects.order_by("position", "pk")))
    header = [force_str(field.verbose_name) for field in columns]
    header += [_("organisation"), _("stakeholder type"), _("country"), _("owner's email")]
    if is_workshop:
        header.append(_("speakers"))
    yield header
    for entry in entries:
        organisation = entry.organisation
        row = [_cell(entry, field) for field in columns]
        row += [
            organisation.name if organisation else "",
            str(organisation.stakeholder_type or "") if organisation else "",
            str(organisation.country.name) if organisation else "",
            entry.owner.email if entry.owner else "",
        ]
        if is_workshop:
            row.append(" | ".join(_speaker_line(speaker) for speaker in entry.speakers.all()))
        yield row


def _safe(cell: str) -> str:
    # A cell starting like a formula would run in a spreadsheet (CSV injection).
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def as_csv(rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    # A byte order mark, so that spreadsheets read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(rows: Iterable[list[str]], *, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([_safe(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
