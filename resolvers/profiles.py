"""Profiles: what users say about themselves, their skills and their avatar."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.catalog import Skill, SkillLevel, UserSkill
from models.errors import ErrorCode, ValidationFailed
from models.file import FilePurpose
from models.gig_rules import slugify
from models.user import BIO_MAX, HEADLINE_MAX, LOCATION_MAX, NAME_MAX, User
from models.validation import clean_text
from resolvers.context import Context
from resolvers.files import claim_ready_files

UNSET: Any = object()
MAX_SKILLS = 20
SKILL_NAME_MAX = 40


@dataclass(frozen=True, slots=True)
class SkillClaim:
    name: str
    level: SkillLevel


async def update_profile(
    ctx: Context,
    *,
    name: Any = UNSET,
    headline: Any = UNSET,
    bio: Any = UNSET,
    location: Any = UNSET,
    skills: Any = UNSET,
    avatar_file_id: Any = UNSET,
) -> User:
    """Change the viewer's profile; fields left out stay as they are, null clears one."""
    user = await ctx.require_viewer()
    if name is not UNSET:
        user.name = clean_text(name, field="name", max_length=NAME_MAX, required=True)
    for attribute, value, limit in (
        ("headline", headline, HEADLINE_MAX),
        ("bio", bio, BIO_MAX),
        ("location", location, LOCATION_MAX),
    ):
        if value is not UNSET:
            setattr(user, attribute, clean_text(value, field=attribute, max_length=limit))
    if avatar_file_id is not UNSET:
        user.avatar_file_id = await _avatar(ctx, avatar_file_id)
    if skills is not UNSET:
        await _replace_skills(ctx, user, _clean_skills(skills or []))
    await ctx.commit()
    return user


async def _avatar(ctx: Context, file_id: uuid.UUID | None) -> uuid.UUID | None:
    if file_id is None:
        return None
    [file] = await claim_ready_files(
        ctx, file_ids=[file_id], purpose=FilePurpose.AVATAR, field="avatarFileId"
    )
    return file.id


def _clean_skills(claims: list[SkillClaim]) -> dict[str, tuple[str, SkillLevel]]:
    """Skills by slug, so "Python", "python " and "PYTHON" are one skill."""
    cleaned: dict[str, tuple[str, SkillLevel]] = {}
    for index, claim in enumerate(claims):
        name = clean_text(
            claim.name, field=f"skills.{index}.name", max_length=SKILL_NAME_MAX, required=True
        )
        display = " ".join(name.split())
        slug = slugify(display, max_length=64)
        # The first spelling names the skill; a later mention only changes the level.
        cleaned[slug] = (cleaned[slug][0] if slug in cleaned else display, claim.level)
    if len(cleaned) > MAX_SKILLS:
        raise ValidationFailed(
            f"at most {MAX_SKILLS} skills", code=ErrorCode.OUT_OF_RANGE, field="skills"
        )
    return cleaned


async def _replace_skills(
    ctx: Context, user: User, skills: dict[str, tuple[str, SkillLevel]]
) -> None:
    session = ctx.session
    if skills:
        # One shared vocabulary: a skill someone else named first is reused, never duplicated,
        # even when two profiles add it at the same moment.
        insert = sqlite_insert if ctx.settings.is_sqlite else pg_insert
        await session.execute(
            insert(Skill)
            .values(
                [
                    {"id": uuid.uuid4(), "slug": slug, "name": name}
                    for slug, (name, _level) in skills.items()
                ]
            )
            .on_conflict_do_nothing(index_elements=["slug"])
        )
    ids = (
        dict(
            (
                await session.execute(
                    select(Skill.slug, Skill.id).where(Skill.slug.in_(list(skills)))
                )
            ).all()
        )
        if skills
        else {}
    )
    await session.execute(delete(UserSkill).where(UserSkill.user_id == user.id))
    session.add_all(
        UserSkill(user_id=user.id, skill_id=ids[slug], level=level)
        for slug, (_name, level) in skills.items()
    )
