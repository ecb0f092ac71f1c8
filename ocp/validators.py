from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def count_words(text: str) -> int:
    return len(text.split())


@deconstructible
class MaxWordsValidator:
    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value: str) -> None:
        words = count_words(value or "")
        if words > self.limit:
            raise ValidationError(
                ngettext(
                    "Please shorten this to %(limit)d word or fewer (it has %(words)d).",
                    "Please shorten this to %(limit)d words or fewer (it has %(words)d).",
                    self.limit,
                ),
                code="max_words",
                params={"limit": self.limit, "words": words},
            )

    def __eq__(self, other):
        return isinstance(other, MaxWordsValidator) and other.limit == self.limit


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
