from django import template

from wsis_portal.editions.formatting import format_deadline, long_date, zone_label

register = template.Library()


@register.inclusion_tag("editions/partials/deadline.html")
def deadline(moment, edition, countdown=True):
    """A deadline in the edition's time zone with its offset; the browser adds
    the visitor's own time and, if ``countdown``, the time left."""
    return {"moment": moment, "label": format_deadline(moment, edition.zone), "countdown": countdown}


@register.simple_tag
def edition_time(moment, edition):
    return format_deadline(moment, edition.zone)


@register.simple_tag
def call_deadline(call, user=None):
    organisation_id = getattr(user, "organisation_id", None) if user is not None and user.is_authenticated else None
    return call.deadline_for(organisation_id)


@register.simple_tag
def edition_zone(edition):
    """The edition's time zone as people say it: "Geneva" for Europe/Zurich."""
    return zone_label(edition.zone)


@register.filter(name="long_date")
def long_date_filter(value):
    """``{{ edition.starts_on|long_date }}``: "17 May 2021", "17 mai 2021", "2021年5月17日"."""
    return long_date(value) if value else ""
