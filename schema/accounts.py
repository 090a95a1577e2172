"""Account mutations: register, sign in and out, verify email and phone, reset the password."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models.catalog import SkillLevel as SkillLevelModel
from resolvers import accounts, profiles
from resolvers.context import Context
from schema.catalog import SkillLevel
from schema.errors import UserError, attempt
from schema.ids import id_of
from schema.users import User, UserRole


@strawberry.input
class RegisterInput:
    email: str
    password: str
    name: str
    role: UserRole


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.input
class LogoutInput:
    refresh_token: str


@strawberry.input
class VerifyEmailInput:
    token: str


@strawberry.input
class RequestPasswordResetInput:
    email: str


@strawberry.input
class ResetPasswordInput:
    token: str
    password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class RequestPhoneCodeInput:
    phone: str = strawberry.field(description="International format, e.g. +14155550123.")


@strawberry.input
class VerifyPhoneCodeInput:
    code: str


@strawberry.input
class SkillInput:
    name: str
    level: SkillLevel = strawberry.field(default=SkillLevelModel.INTERMEDIATE)


@strawberry.input
class UpdateProfileInput:
    name: str | None = strawberry.UNSET
    headline: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    skills: list[SkillInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces the whole list; names are matched case- and space-insensitively.",
    )
    avatar_file_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A READY file uploaded for the AVATAR purpose."
    )


@strawberry.type
class AuthPayload:
    user: User | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the access token expires."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: accounts.Session | None, errors: list[UserError]) -> "AuthPayload":
        if result is None:
            return cls(errors=errors)
        return cls(
            user=result.user,
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            expires_at=result.expires_at,
        )


@strawberry.type(description="The outcome of a mutation that changes nothing a client shows.")
class AckPayload:
    ok: bool
    errors: list[UserError]

    @classmethod
    def of(cls, errors: list[UserError]) -> "AckPayload":
        return cls(ok=not errors, errors=errors)


@strawberry.type
class UserPayload:
    user: User | None
    errors: list[UserError]


def _ack(name: str) -> type[AckPayload]:
    return strawberry.type(type(name, (AckPayload,), {}), name=name)


def _user_payload(name: str) -> type[UserPayload]:
    return strawberry.type(type(name, (UserPayload,), {}), name=name)


LogoutPayload = _ack("LogoutPayload")
RequestEmailVerificationPayload = _ack("RequestEmailVerificationPayload")
RequestPasswordResetPayload = _ack("RequestPasswordResetPayload")
RequestPhoneCodePayload = _ack("RequestPhoneCodePayload")
VerifyEmailPayload = _user_payload("VerifyEmailPayload")
ResetPasswordPayload = _user_payload("ResetPasswordPayload")
ChangePasswordPayload = _user_payload("ChangePasswordPayload")
VerifyPhoneCodePayload = _user_payload("VerifyPhoneCodePayload")
UpdateProfilePayload = _user_payload("UpdateProfilePayload")


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Create a CLIENT or FREELANCER account and sign it in.")
    async def register(self, info: Info[Context, None], input: RegisterInput) -> AuthPayload:
        ctx = info.context
        return AuthPayload.of(
            *await attempt(
                ctx,
                accounts.register(
                    ctx,
                    email=input.email,
                    password=input.password,
                    name=input.name,
                    role=input.role,
                ),
            )
        )

    @strawberry.mutation(description="Sign in with email and password.")
    async def login(self, info: Info[Context, None], input: LoginInput) -> AuthPayload:
        ctx = info.context
        return AuthPayload.of(
            *await attempt(ctx, accounts.login(ctx, email=input.email, password=input.password))
        )

    @strawberry.mutation(description="Trade a refresh token for a new token pair (rotation).")
    async def refresh_token(
        self, info: Info[Context, None], input: RefreshTokenInput
    ) -> AuthPayload:
        ctx = info.context
        return AuthPayload.of(
            *await attempt(ctx, accounts.refresh(ctx, refresh_token=input.refresh_token))
        )

    @strawberry.mutation(description="Revoke the sign-in a refresh token belongs to.")
    async def logout(self, info: Info[Context, None], input: LogoutInput) -> LogoutPayload:
        ctx = info.context
        _, errors = await attempt(ctx, accounts.logout(ctx, refresh_token=input.refresh_token))
        return LogoutPayload.of(errors)

    @strawberry.mutation(description="Email the viewer a link that verifies their address.")
    async def request_email_verification(
        self, info: Info[Context, None]
    ) -> RequestEmailVerificationPayload:
        ctx = info.context
        _, errors = await attempt(ctx, accounts.request_email_verification(ctx))
        return RequestEmailVerificationPayload.of(errors)

    @strawberry.mutation(description="Verify an email address with the token from the link.")
    async def verify_email(
        self, info: Info[Context, None], input: VerifyEmailInput
    ) -> VerifyEmailPayload:
        ctx = info.context
        user, errors = await attempt(ctx, accounts.verify_email(ctx, token=input.token))
        return VerifyEmailPayload(user=user, errors=errors)

    @strawberry.mutation(
        description="Email a reset link if the address has an account; the answer is the same "
        "either way."
    )
    async def request_password_reset(
        self, info: Info[Context, None], input: RequestPasswordResetInput
    ) -> RequestPasswordResetPayload:
        ctx = info.context
        _, errors = await attempt(ctx, accounts.request_password_reset(ctx, email=input.email))
        return RequestPasswordResetPayload.of(errors)

    @strawberry.mutation(
        description="Choose a new password with a reset token; signs out every session."
    )
    async def reset_password(
        self, info: Info[Context, None], input: ResetPasswordInput
    ) -> ResetPasswordPayload:
        ctx = info.context
        user, errors = await attempt(
            ctx, accounts.reset_password(ctx, token=input.token, password=input.password)
        )
        return ResetPasswordPayload(user=user, errors=errors)

    @strawberry.mutation(description="Change the viewer's password; signs out every session.")
    async def change_password(
        self, info: Info[Context, None], input: ChangePasswordInput
    ) -> ChangePasswordPayload:
        ctx = info.context
        user, errors = await attempt(
            ctx,
            accounts.change_password(
                ctx, current_password=input.current_password, new_password=input.new_password
            ),
        )
        return ChangePasswordPayload(user=user, errors=errors)

    @strawberry.mutation(description="Text a 6-digit code to the phone number to verify.")
    async def request_phone_code(
        self, info: Info[Context, None], input: RequestPhoneCodeInput
    ) -> RequestPhoneCodePayload:
        ctx = info.context
        _, errors = await attempt(ctx, accounts.request_phone_code(ctx, phone=input.phone))
        return RequestPhoneCodePayload.of(errors)

    @strawberry.mutation(description="Verify the viewer's phone with the code texted to it.")
    async def verify_phone_code(
        self, info: Info[Context, None], input: VerifyPhoneCodeInput
    ) -> VerifyPhoneCodePayload:
        ctx = info.context
        user, errors = await attempt(ctx, accounts.verify_phone_code(ctx, code=input.code))
        return VerifyPhoneCodePayload(user=user, errors=errors)

    @strawberry.mutation(
        description="Change the viewer's profile; omitted fields stay as they are."
    )
    async def update_profile(
        self, info: Info[Context, None], input: UpdateProfileInput
    ) -> UpdateProfilePayload:
        ctx = info.context
        changes: dict[str, Any] = {
            name: value
            for name in ("name", "headline", "bio", "location")
            if (value := getattr(input, name)) is not strawberry.UNSET
        }
        if input.skills is not strawberry.UNSET:
            changes["skills"] = [
                profiles.SkillClaim(name=skill.name, level=skill.level)
                for skill in input.skills or []
            ]
        user, errors = await attempt(ctx, _update_profile(ctx, input, changes))
        return UpdateProfilePayload(user=user, errors=errors)


async def _update_profile(ctx: Context, data: UpdateProfileInput, changes: dict[str, Any]) -> Any:
    """Decode the avatar's id inside the attempt, so a bad one is a payload error too."""
    if data.avatar_file_id is not strawberry.UNSET:
        changes["avatar_file_id"] = (
            None
            if data.avatar_file_id is None
            else id_of(data.avatar_file_id, "File", field="avatarFileId")
        )
    return await profiles.update_profile(ctx, **changes)
