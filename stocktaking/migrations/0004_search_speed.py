"""Indexes of the public search (not model state, like 0002, so
``makemigrations`` stays clean):

- ``stocktaking_entry_public_newest`` (PostgreSQL; SQLite has no ``NULLS
  LAST`` in an index): the published entries of a tenant in the order of the
  search without a keyword and of the API (newest first, then id), partial on
  ``revision_of IS NULL``: the first page is read from the index instead of
  sorting every entry, and counting them is an index-only scan.
- ``stocktaking_entry_updated``: the search's data version
  (``search._data_version``: the latest ``updated_at`` of any entry, one index
  probe), under which facet counts are cached.
"""

from django.db import migrations

PUBLIC_NEWEST = (
    "CREATE INDEX IF NOT EXISTS stocktaking_entry_public_newest ON stocktaking_entry"
    " (tenant_id, status, published_at DESC NULLS LAST, id DESC) WHERE revision_of_id IS NULL"
)


def _on_postgresql(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("stocktaking", "0003_confirmation_and_external_id")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS stocktaking_entry_updated ON stocktaking_entry (updated_at)",
            "DROP INDEX IF EXISTS stocktaking_entry_updated",
        ),
        migrations.RunPython(
            _on_postgresql(PUBLIC_NEWEST), _on_postgresql("DROP INDEX IF EXISTS stocktaking_entry_public_newest")
        ),
    ]
