"""``stocktaking_entry_confirmed``: the search's data version
(``search.data_version``) is the latest ``updated_at`` and the latest
``confirmed_at`` of any entry, each one index probe. A confirmation sets only
``confirmed_at``; the cached counts of the "Last confirmed" filter follow it
at once. Not model state, like 0004, so ``makemigrations`` stays clean.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stocktaking", "0005_search_country_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS stocktaking_entry_confirmed ON stocktaking_entry (confirmed_at)",
            "DROP INDEX IF EXISTS stocktaking_entry_confirmed",
        ),
    ]
