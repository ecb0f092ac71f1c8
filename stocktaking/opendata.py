"""CSV and JSON downloads of a search's published entries, streamed.

The entries are read with ``QuerySet.iterator(chunk_size=CHUNK_SIZE)``: a
server-side cursor on PostgreSQL, and the many-to-many relations prefetched per
chunk, so memory stays flat and the number of queries grows by a constant per
chunk. The generators run after the view returned, outside the request's
tenant scope, so they open it again themselves.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django_scopes import scope

from .api.serializers import EntrySerializer
from .models import Entry

CHUNK_SIZE = 500

# The CSV's columns are the API entry's fields, in the same order.
CSV_COLUMNS = EntrySerializer.Meta.fields


def _records(queryset: QuerySet[Entry], *, tenant, request) -> Iterator[dict]:
    context = {"tenant": tenant, "request": request}
    with scope(tenant=tenant.pk):
        for entry in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield EntrySerializer(entry, context=context).data


def _flat(record: dict) -> list[str]:
    """One CSV row: lists joined with "; ", related objects by code or name."""
    row = dict(record)
    row["stakeholder_type"] = (record["stakeholder_type"] or {}).get("name", "")
    row["countries"] = "; ".join(record["countries"])
    row["regions"] = "; ".join(item["name"] for item in record["regions"])
    row["action_lines"] = "; ".join(item["code"] for item in record["action_lines"])
    row["sdgs"] = "; ".join(str(item["number"]) for item in record["sdgs"])
    row["collections"] = "; ".join(item["name"] for item in record["collections"])
    return ["" if row[name] is None else str(row[name]) for name in CSV_COLUMNS]


def safe_cell(cell: str) -> str:
    # A cell starting like a formula would run in a spreadsheet (CSV injection).
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


class _Line:
    """A file-like ``write`` that hands back what csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(queryset: QuerySet[Entry], *, tenant, request) -> Iterator[bytes]:
    """A UTF-8 CSV with a byte order mark (so spreadsheets read it as UTF-8)."""
    writer = csv.writer(_Line())
    yield ("\ufeff" + writer.writerow(CSV_COLUMNS)).encode("utf-8")
    for record in _records(queryset, tenant=tenant, request=request):
        yield writer.writerow([safe_cell(cell) for cell in _flat(record)]).encode("utf-8")


def json_chunks(queryset: QuerySet[Entry], *, tenant, request) -> Iterator[bytes]:
    """A JSON array of the API's entry objects, one element at a time."""
    separator = "[\n"
    for record in _records(queryset, tenant=tenant, request=request):
        yield (separator + json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False)).encode("utf-8")
        separator = ",\n"
    yield ("[]\n" if separator == "[\n" else "\n]\n").encode("utf-8")
