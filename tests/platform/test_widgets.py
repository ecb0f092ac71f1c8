from django import forms
from django.test.html import parse_html

from wsis_portal.widgets import QuickSelect

CHOICES = [
    ("", "All"),
    (1, "C1 <The role> & “governments”"),
    ("KE", "Kenya"),
    ("Regions", [("af", "Africa"), ("as", "Asia & Pacific")]),
]


def _both(value, attrs=None):
    quick = QuickSelect(attrs={"class": "form-select"}, choices=CHOICES).render("country", value, attrs=attrs)
    plain = forms.Select(attrs={"class": "form-select"}, choices=CHOICES).render("country", value, attrs=attrs)
    return quick, plain


def test_same_html_as_django_select_with_nothing_chosen():
    quick, plain = _both(None, attrs={"id": "id_country"})
    assert parse_html(quick) == parse_html(plain)
    assert 'value="" selected' in quick


def test_same_html_when_a_value_is_chosen_in_a_group_and_labels_are_escaped():
    quick, plain = _both("as")
    assert parse_html(quick) == parse_html(plain)
    assert "&lt;The role&gt; &amp;" in quick
    assert '<option value="as" selected>' in quick


def test_integer_values_match_their_string_form():
    quick, plain = _both(1)
    assert parse_html(quick) == parse_html(plain)
    assert '<option value="1" selected>' in quick
