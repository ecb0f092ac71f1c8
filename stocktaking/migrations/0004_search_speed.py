"""An index for the search's data version (``search._data_version``: the
latest ``updated_at`` of any entry, one index probe), under which facet counts
are cached. Not model state, like 0002: ``makemigrations`` stays clean."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stocktaking", "0003_confirmation_and_external_id")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS stocktaking_entry_updated ON stocktaking_entry (updated_at)",
            "DROP INDEX IF EXISTS stocktaking_entry_updated",
        )
    ]
