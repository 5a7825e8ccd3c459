"""What services raise when the user's input cannot be accepted."""


class FieldErrors(Exception):
    """Problems keyed by form field name, in Russian, to be shown next to the fields."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors
