"""PostgreSQL search support, skipped on other databases (SQLite falls back to
``icontains`` in ``stocktaking/search.py``): the unaccent and pg_trgm
extensions, the text search configurations ``wsis_unaccent`` (no stemming) and
``wsis_unaccent_<language>``, an immutable unaccent wrapper for the trigram
index, and the GIN indexes. None of it is model state, so ``makemigrations``
stays clean."""

from django.db import migrations

# Entry language -> PostgreSQL's own configuration whose stemmer follows unaccent.
LANGUAGE_CONFIGS = {"en": "english", "fr": "french", "es": "spanish", "ar": "arabic", "ru": "russian"}
WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"


def _config_sql(name: str, source: str, dictionary: str) -> str:
    return f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN
    CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {source});
    ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR {WORD_TOKENS} WITH unaccent, {dictionary};
  END IF;
END $$;"""


FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    _config_sql("wsis_unaccent", "simple", "simple"),
    *[_config_sql(f"wsis_unaccent_{code}", source, f"{source}_stem") for code, source in LANGUAGE_CONFIGS.items()],
    # unaccent() is only STABLE (it reads its dictionary by name); naming the
    # dictionary makes it safe to declare IMMUTABLE, which an index needs.
    """CREATE OR REPLACE FUNCTION wsis_immutable_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $func$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $func$""",
    "CREATE INDEX IF NOT EXISTS stocktaking_entry_search ON stocktaking_entry USING gin (search_vector)",
    """CREATE INDEX IF NOT EXISTS stocktaking_entry_title_trgm ON stocktaking_entry
       USING gin (wsis_immutable_unaccent(lower(title)) gin_trgm_ops)""",
]

BACKWARD = [
    "DROP INDEX IF EXISTS stocktaking_entry_title_trgm",
    "DROP INDEX IF EXISTS stocktaking_entry_search",
    "DROP FUNCTION IF EXISTS wsis_immutable_unaccent(text)",
    *[f"DROP TEXT SEARCH CONFIGURATION IF EXISTS wsis_unaccent_{code}" for code in LANGUAGE_CONFIGS],
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS wsis_unaccent",
    # The extensions stay: other apps may use them.
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("stocktaking", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
