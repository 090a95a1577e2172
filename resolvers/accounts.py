"""Accounts: registration, sign-in, token rotation, email, password and phone verification."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from models.account import Channel, CodePurpose, OneTimeCode, RefreshToken
from models.errors import DomainError, ErrorCode, ValidationFailed
from models.types import utcnow
from models.user import (
    NAME_MAX,
    User,
    UserRole,
    normalize_email,
)
from models.validation import check_password, clean_email, clean_phone, clean_text
from resolvers.badges import award_badges
from resolvers.context import Context
from resolvers.outbox import queue_message
from resolvers.security import digest, issue_access_token, new_numeric_code, new_secret

SELF_SERVICE_ROLES = frozenset({UserRole.CLIENT, UserRole.FREELANCER})


@dataclass(frozen=True, slots=True)
class Session:
    """What a client holds after signing in."""

    user: User
    access_token: str
    refresh_token: str
    expires_at: datetime


async def register(
    ctx: Context, *, email: str, password: str, name: str, role: UserRole
) -> Session:
    """Create an account for a client or a freelancer and sign it in."""
    if role not in SELF_SERVICE_ROLES:
        raise ValidationFailed(
            "role must be CLIENT or FREELANCER", code=ErrorCode.ROLE_NOT_ALLOWED, field="role"
        )
    email = clean_email(email)
    display_name = clean_text(name, field="name", max_length=NAME_MAX, required=True)
    check_password(password, email=email)
    if await _user_by_email(ctx, email) is not None:
        raise _email_taken()
    user = User(
        email=email,
        password_hash=await ctx.services.passwords.hash(password),
        name=display_name,
        role=role,
    )
    ctx.session.add(user)
    try:
        await ctx.session.flush()
    except IntegrityError:
        # Two registrations raced past the check above; the unique index decided.
        await ctx.rollback()
        raise _email_taken() from None
    _queue_email_verification(ctx, user)
    session = await _start_session(ctx, user)
    await ctx.commit()
    return session


async def login(ctx: Context, *, email: str, password: str) -> Session:
    """Sign in with email and password."""
    # Normalize, never validate: an address stored under older rules must still sign in.
    user = await _user_by_email(ctx, normalize_email(email)) if len(email) <= 320 else None
    # Verify even for an unknown email, so timing does not tell which emails exist.
    password_ok = await ctx.services.passwords.verify(
        user.password_hash if user else None, password[:1024]
    )
    if user is None or not password_ok or user.deactivated_at is not None:
        raise DomainError("Wrong email or password", code=ErrorCode.INVALID_CREDENTIALS)
    if ctx.services.passwords.needs_rehash(user.password_hash):
        user.password_hash = await ctx.services.passwords.hash(password)
    session = await _start_session(ctx, user)
    await ctx.commit()
    return session


async def refresh(ctx: Context, *, refresh_token: str) -> Session:
    """Exchange a refresh token for a new pair; reusing a spent one revokes its whole family."""
    now = utcnow()
    token = await _refresh_token(ctx, refresh_token)
    if token is None or token.revoked_at is not None:
        raise _invalid_refresh_token()
    if token.expires_at <= now:
        raise DomainError(
            "Refresh token expired", code=ErrorCode.TOKEN_EXPIRED, field="refreshToken"
        )
    # Compare-and-set: of two concurrent refreshes with one token, exactly one flips `used_at`.
    spent = await ctx.session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == token.id,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        await _revoke(ctx, RefreshToken.family_id == token.family_id)
        await ctx.commit()
        raise DomainError(
            "Refresh token was already used; sign in again",
            code=ErrorCode.TOKEN_REUSED,
            field="refreshToken",
        )
    user = await ctx.session.get(User, token.user_id)
    if user is None or user.deactivated_at is not None:
        raise _invalid_refresh_token()
    session = await _start_session(ctx, user, family_id=token.family_id)
    await ctx.commit()
    return session


async def logout(ctx: Context, *, refresh_token: str) -> None:
    """Revoke the login that a refresh token belongs to."""
    token = await _refresh_token(ctx, refresh_token)
    if token is None:
        raise _invalid_refresh_token()
    await _revoke(ctx, RefreshToken.family_id == token.family_id)
    await ctx.commit()


async def request_email_verification(ctx: Context) -> None:
    """Send the viewer a link that verifies their email address."""
    user = await ctx.require_viewer()
    if user.email_verified:
        raise DomainError("Email is already verified", code=ErrorCode.ALREADY_VERIFIED)
    _queue_email_verification(ctx, user)
    await ctx.commit()


async def verify_email(ctx: Context, *, token: str) -> User:
    """Mark the email address a verification token was sent to as verified."""
    code = await _redeem_token(ctx, token, CodePurpose.EMAIL_VERIFICATION)
    user = await ctx.session.get(User, code.user_id)
    if user is None or user.email != code.target:
        raise DomainError(
            "This link is no longer valid", code=ErrorCode.INVALID_TOKEN, field="token"
        )
    user.email_verified_at = user.email_verified_at or utcnow()
    await award_badges(ctx, user_id=user.id)
    await ctx.commit()
    return user


async def request_password_reset(ctx: Context, *, email: str) -> None:
    """Email a password-reset link, if the address has an account; say nothing either way."""
    if len(email) > 320:
        return
    user = await _user_by_email(ctx, normalize_email(email))
    if user is None or user.deactivated_at is not None:
        return
    _email_link(
        ctx,
        user,
        CodePurpose.PASSWORD_RESET,
        path="reset-password",
        subject="Reset your Gigstream password",
        text="To choose a new password, open {link}\nThe link works once, within the hour. "
        "If you did not ask for it, ignore this email.",
    )
    await ctx.commit()


async def reset_password(ctx: Context, *, token: str, password: str) -> User:
    """Set a new password with a reset token, and sign out every session of the account."""
    code = await _redeem_token(ctx, token, CodePurpose.PASSWORD_RESET)
    user = await ctx.session.get(User, code.user_id)
    if user is None:
        raise DomainError(
            "This link is no longer valid", code=ErrorCode.INVALID_TOKEN, field="token"
        )
    check_password(password, email=user.email)
    await _set_password(ctx, user, password)
    await ctx.commit()
    return user


async def change_password(ctx: Context, *, current_password: str, new_password: str) -> User:
    """Change the viewer's password, and sign out every session of the account."""
    user = await ctx.require_viewer()
    if not await ctx.services.passwords.verify(user.password_hash, current_password[:1024]):
        raise DomainError(
            "Current password is wrong", code=ErrorCode.INVALID_CREDENTIALS, field="currentPassword"
        )
    check_password(new_password, field="newPassword", email=user.email)
    await _set_password(ctx, user, new_password)
    await ctx.commit()
    return user


async def request_phone_code(ctx: Context, *, phone: str) -> None:
    """Text a 6-digit code to a phone number the viewer wants to verify."""
    user = await ctx.require_viewer()
    phone = clean_phone(phone)
    now = utcnow()
    # A new code replaces any earlier one: only the latest code works.
    await ctx.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.user_id == user.id,
            OneTimeCode.purpose == CodePurpose.PHONE_VERIFICATION,
            OneTimeCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    code = new_numeric_code()
    row = _add_code(
        ctx, user, CodePurpose.PHONE_VERIFICATION, phone, "", ctx.settings.phone_code_ttl_seconds
    )
    row.code_hash = _phone_digest(ctx, row.id, code)
    queue_message(
        ctx,
        channel=Channel.SMS,
        recipient=phone,
        user_id=user.id,
        subject="",
        body=f"Your Gigstream code is {code}. It expires in "
        f"{ctx.settings.phone_code_ttl_seconds // 60} minutes.",
    )
    await ctx.commit()


async def verify_phone_code(ctx: Context, *, code: str) -> User:
    """Verify the viewer's phone with the last code sent to it (5 attempts, 5 minutes)."""
    user = await ctx.require_viewer()
    row = await ctx.session.scalar(
        select(OneTimeCode)
        .where(
            OneTimeCode.user_id == user.id,
            OneTimeCode.purpose == CodePurpose.PHONE_VERIFICATION,
            OneTimeCode.used_at.is_(None),
        )
        .order_by(OneTimeCode.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    if row is None or row.expires_at <= utcnow():
        raise DomainError(
            "No valid code; request a new one", code=ErrorCode.TOKEN_EXPIRED, field="code"
        )
    if row.attempts >= ctx.settings.phone_code_max_attempts:
        raise DomainError(
            "Too many wrong codes; request a new one",
            code=ErrorCode.TOO_MANY_ATTEMPTS,
            field="code",
        )
    row.attempts += 1
    if _phone_digest(ctx, row.id, code.strip()) != row.code_hash:
        await ctx.commit()  # the failed attempt counts even though the call fails
        raise DomainError("Wrong code", code=ErrorCode.INVALID_CODE, field="code")
    row.used_at = utcnow()
    user.phone = row.target
    user.phone_verified_at = row.used_at
    await award_badges(ctx, user_id=user.id)
    await ctx.commit()
    return user


async def _user_by_email(ctx: Context, email: str) -> User | None:
    return await ctx.session.scalar(select(User).where(User.email == email))


async def _start_session(
    ctx: Context, user: User, *, family_id: uuid.UUID | None = None
) -> Session:
    secret = new_secret()
    ctx.session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or uuid.uuid4(),
            token_hash=digest(ctx.settings, secret),
            expires_at=utcnow() + timedelta(seconds=ctx.settings.refresh_token_ttl_seconds),
        )
    )
    access = issue_access_token(ctx.settings, user_id=user.id)
    ctx.sign_in(user)
    return Session(
        user=user, access_token=access.token, refresh_token=secret, expires_at=access.expires_at
    )


async def _refresh_token(ctx: Context, secret: str) -> RefreshToken | None:
    if not secret or len(secret) > 256:
        return None
    return await ctx.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == digest(ctx.settings, secret))
    )


async def _revoke(ctx: Context, condition) -> None:
    await ctx.session.execute(
        update(RefreshToken)
        .where(condition, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def _set_password(ctx: Context, user: User, password: str) -> None:
    user.password_hash = await ctx.services.passwords.hash(password)
    user.password_changed_at = utcnow()
    await _revoke(ctx, RefreshToken.user_id == user.id)


def _add_code(
    ctx: Context, user: User, purpose: CodePurpose, target: str, code_hash: str, ttl: int
) -> OneTimeCode:
    row = OneTimeCode(
        user_id=user.id,
        purpose=purpose,
        target=target,
        code_hash=code_hash,
        expires_at=utcnow() + timedelta(seconds=ttl),
    )
    ctx.session.add(row)
    return row


def _queue_email_verification(ctx: Context, user: User) -> None:
    _email_link(
        ctx,
        user,
        CodePurpose.EMAIL_VERIFICATION,
        path="verify-email",
        subject="Confirm your email for Gigstream",
        text="Confirm your email address by opening {link}\nThe link works once, within the hour.",
    )


def _email_link(
    ctx: Context, user: User, purpose: CodePurpose, *, path: str, subject: str, text: str
) -> None:
    """Email the user a single-use link, stored only as a keyed hash, valid for an hour."""
    secret = new_secret()
    _add_code(
        ctx,
        user,
        purpose,
        user.email,
        digest(ctx.settings, secret),
        ctx.settings.email_token_ttl_seconds,
    )
    link = f"{ctx.settings.public_url}/{path}?token={secret}"
    queue_message(
        ctx,
        channel=Channel.EMAIL,
        recipient=user.email,
        user_id=user.id,
        subject=subject,
        body=f"Hello {user.name},\n\n{text.format(link=link)}\n",
    )


async def _redeem_token(ctx: Context, secret: str, purpose: CodePurpose) -> OneTimeCode:
    """Spend a single-use emailed token atomically, or raise `INVALID_TOKEN`/`TOKEN_EXPIRED`."""
    invalid = DomainError(
        "This link is invalid or was already used", code=ErrorCode.INVALID_TOKEN, field="token"
    )
    if not secret or len(secret) > 256:
        raise invalid
    code = await ctx.session.scalar(
        select(OneTimeCode).where(
            OneTimeCode.code_hash == digest(ctx.settings, secret), OneTimeCode.purpose == purpose
        )
    )
    if code is None or code.used_at is not None:
        raise invalid
    if code.expires_at <= utcnow():
        raise DomainError(
            "This link has expired; request a new one", code=ErrorCode.TOKEN_EXPIRED, field="token"
        )
    spent = await ctx.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == code.id, OneTimeCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise invalid
    return code


def _phone_digest(ctx: Context, code_id: uuid.UUID, code: str) -> str:
    return digest(ctx.settings, f"{code_id}:{code}")


def _email_taken() -> DomainError:
    return DomainError(
        "An account with this email already exists", code=ErrorCode.EMAIL_TAKEN, field="email"
    )


def _invalid_refresh_token() -> DomainError:
    return DomainError(
        "Refresh token is invalid", code=ErrorCode.INVALID_TOKEN, field="refreshToken"
    )
