"""Pure input rules shared by every use-case; each raises `ValidationFailed` naming its field."""

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from models.errors import ErrorCode, ValidationFailed

PASSWORD_MIN = 8
# Argon2 accepts any length; the cap keeps a megabyte password from costing us a megabyte of work.
PASSWORD_MAX = 128
_PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")
_COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "passw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "11111111",
        "00000000",
        "qwerty123",
        "qwertyuiop",
        "1q2w3e4r",
        "1qaz2wsx",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "letmein1",
        "admin123",
        "abc12345",
        "abcd1234",
        "monkey123",
        "dragon123",
        "trustno1",
        "superman",
        "gigstream",
        "freelance",
        "marketplace",
        "changeme",
    }
)


def clean_text(
    value: str | None, *, field: str, max_length: int, min_length: int = 0, required: bool = False
) -> str | None:
    """Strip a text input and check its length; an empty optional text becomes `None`."""
    if value is None:
        if required:
            raise ValidationFailed(f"{field} is required", code=ErrorCode.REQUIRED, field=field)
        return None
    cleaned = unicodedata.normalize("NFC", value).strip()
    if "\x00" in cleaned:
        raise ValidationFailed(f"{field} contains a NUL character", field=field)
    if not cleaned:
        if required or min_length:
            raise ValidationFailed(f"{field} is required", code=ErrorCode.REQUIRED, field=field)
        return None
    if len(cleaned) > max_length:
        raise ValidationFailed(
            f"{field} must be at most {max_length} characters",
            code=ErrorCode.TOO_LONG,
            field=field,
        )
    if len(cleaned) < min_length:
        raise ValidationFailed(
            f"{field} must be at least {min_length} characters",
            code=ErrorCode.TOO_SHORT,
            field=field,
        )
    return cleaned


def clean_email(value: str, *, field: str = "email") -> str:
    """Return the address in the canonical lower-case form we store and compare."""
    if len(value) > 254:
        raise ValidationFailed("email is too long", code=ErrorCode.INVALID_EMAIL, field=field)
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationFailed(str(error), code=ErrorCode.INVALID_EMAIL, field=field) from None
    return result.normalized.lower()


def check_password(password: str, *, field: str = "password", email: str | None = None) -> None:
    """Refuse a password that is short, over-long, common, or made of the email address."""
    if len(password) > PASSWORD_MAX:
        raise ValidationFailed(
            f"password must be at most {PASSWORD_MAX} characters",
            code=ErrorCode.TOO_LONG,
            field=field,
        )
    reasons = []
    if len(password) < PASSWORD_MIN:
        reasons.append(f"at least {PASSWORD_MIN} characters")
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(password)) < 4:
        reasons.append("not a common or repetitive password")
    if email and len(email.split("@")[0]) >= 4 and email.split("@")[0] in lowered:
        reasons.append("not containing your email address")
    if reasons:
        raise ValidationFailed(
            "password must be " + " and ".join(reasons), code=ErrorCode.WEAK_PASSWORD, field=field
        )


def clean_phone(value: str, *, field: str = "phone") -> str:
    """Return a phone number in E.164 form (`+` and 8 to 15 digits)."""
    compact = re.sub(r"[\s().-]", "", value)
    if not _PHONE.fullmatch(compact):
        raise ValidationFailed(
            "phone must be in international format, such as +14155550123",
            code=ErrorCode.INVALID_PHONE,
            field=field,
        )
    return compact
