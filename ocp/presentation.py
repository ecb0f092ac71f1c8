"""What the review page shows of an entry, step by step."""

from __future__ import annotations

from django.utils.translation import gettext as _


def _display(entry, field) -> str:
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(entry, field.name).all())
    if field.is_relation:
        related = getattr(entry, field.name)
        return "" if related is None else str(related)
    if field.choices:
        return str(getattr(entry, f"get_{field.name}_display")())
    value = getattr(entry, field.name)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "name") and hasattr(value, "storage"):  # an uploaded file
        return value.name.rsplit("/", 1)[-1] if value else ""
    return str(value or "")


def step_summary(entry, step) -> list[tuple[str, str]]:
    """``(label, value)`` of every field of ``step``; speakers one per row."""
    if step.speakers:
        return [
            (
                speaker.name,
                ", ".join(
                    part
                    for part in (
                        speaker.title,
                        speaker.organisation,
                        str(speaker.country.name) if speaker.country else "",
                        speaker.get_participation_display(),
                    )
                    if part
                ),
            )
            for speaker in entry.speakers.all()
        ]
    model = type(entry)
    rows = []
    for name in step.form_class._meta.fields:
        field = model._meta.get_field(name)
        rows.append((str(field.verbose_name), _display(entry, field)))
    return rows
