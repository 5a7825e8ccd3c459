"""Russian phone numbers as people write them, normalised to E.164."""
import phonenumbers


class PhoneError(ValueError):
    pass


def normalize_phone(text: str) -> str:
    """`8 (912) 345-67-89`, `+7 912 345 67 89`, `9123456789` → `+79123456789`."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        raise PhoneError("Укажите номер телефона.")
    if len(digits) == 11 and digits[0] == "8" and not text.strip().startswith("+"):
        digits = "7" + digits[1:]
    elif len(digits) == 10:
        digits = "7" + digits
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        raise PhoneError("Номер телефона не распознан. Пример: +7 912 345-67-89.") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("Такого номера телефона не существует. Пример: +7 912 345-67-89.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
