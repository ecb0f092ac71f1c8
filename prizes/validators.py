"""Word and file limits of prize entries."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _


def count_words(text: str) -> int:
    """Words as the browser's counter counts them (``static/js/autosave.js``)."""
    return len((text or "").split())


@deconstructible
class WordRangeValidator:
    """Between ``minimum`` and ``maximum`` words (both included)."""

    def __init__(self, minimum: int, maximum: int):
        self.minimum = minimum
        self.maximum = maximum

    def __call__(self, value: str) -> None:
        words = count_words(value)
        if not self.minimum <= words <= self.maximum:
            raise ValidationError(
                _("Please write between %(minimum)d and %(maximum)d words (it has %(words)d)."),
                code="word_range",
                params={"minimum": self.minimum, "maximum": self.maximum, "words": words},
            )

    def __eq__(self, other):
        return isinstance(other, WordRangeValidator) and (other.minimum, other.maximum) == (
            self.minimum,
            self.maximum,
        )


@deconstructible
class MaxFileSizeValidator:
    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value) -> None:
        # Only a new upload: a stored file is not read back from storage.
        if value and not getattr(value, "_committed", False) and value.size > self.limit:
            raise ValidationError(
                _("Please choose a file of at most %(limit)s."),
                code="file_too_large",
                params={"limit": filesizeformat(self.limit)},
            )

    def __eq__(self, other):
        return isinstance(other, MaxFileSizeValidator) and other.limit == self.limit
