"""Load ``data/wsis.yaml`` into the reference tables; running it again updates
rows in place and never duplicates them."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.utils.text import slugify

DATA_FILE = Path(__file__).resolve().parent / "data" / "wsis.yaml"

# Confirmed members of the CIS region (see the note in wsis.yaml); the others
# are left for staff to fill in the admin.
CIS_COUNTRIES = ["AM", "AZ", "BY", "KZ", "KG", "MD", "RU", "TJ", "UA", "UZ"]


def read_reference_data(path: Path = DATA_FILE) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _named(model, names: list, extra=None) -> None:
    for position, item in enumerate(names, start=1):
        if isinstance(item, dict):
            name, fields = item["name"], {k: v for k, v in item.items() if k not in {"name", "rank"}}
            position = item.get("rank", position)
        else:
            name, fields = item, {}
        fields.update(extra(name) if extra else {})
        model.objects.update_or_create(slug=slugify(name)[:64], defaults={"name": name, "position": position, **fields})


def load_reference_data(get_model, data: dict | None = None) -> None:
    """``get_model(app_label, model_name)`` is ``apps.get_model`` in a migration."""
    data = data or read_reference_data()
    ActionLine = get_model("reference", "ActionLine")
    position = 0
    for line in data["action_lines"]:
        position += 1
        parent, _ = ActionLine.objects.update_or_create(
            code=line["code"],
            defaults={
                "title": line["title"],
                "facilitators": ", ".join(line.get("facilitators", [])),
                "position": position,
                "parent": None,
            },
        )
        for sub in line.get("sub_lines", []):
            position += 1
            ActionLine.objects.update_or_create(
                code=sub["code"],
                defaults={
                    "title": sub["title"],
                    "facilitators": ", ".join(sub.get("facilitators", [])),
                    "position": position,
                    "parent": parent,
                },
            )
    Goal = get_model("reference", "SustainableDevelopmentGoal")
    for goal in data["sdgs"]:
        Goal.objects.update_or_create(number=goal["number"], defaults={"name": goal["name"]})
    PrizeCategory = get_model("reference", "PrizeCategory")
    for category in data["prize_categories"]:
        PrizeCategory.objects.update_or_create(
            number=category["number"],
            defaults={"action_line": ActionLine.objects.get(code=category["action_line"])},
        )
    _named(get_model("reference", "StakeholderType"), data["stakeholder_types"])
    _named(
        get_model("reference", "Region"),
        data["regions"],
        extra=lambda name: {"countries": ",".join(CIS_COUNTRIES)} if name == "CIS" else {},
    )
    _named(get_model("reference", "SpecialTrack"), data["special_tracks"])
    _named(get_model("reference", "SessionFormat"), data["session_formats"])
    _named(get_model("reference", "PartnershipTier"), data["partnership_tiers"])
