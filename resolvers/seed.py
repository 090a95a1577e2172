"""Fill the database with a demo marketplace: people, gigs, orders in every state, money, chat."""

import base64
import itertools
import random
import re
import time
import uuid
from collections import defaultdict
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import catalog, chat, ledger
from models.audit import AuditLog
from models.badges import Standing, earned_badges
from models.catalog import ApplicationStatus, Gig, GigKind, GigStatus
from models.db import create_engine, open_session, session_factory
from models.escrow import Movement, funding, memo, movement_of, settlement
from models.gig_rules import slugify
from models.notification import Notification, NotificationType
from models.order import Delivery, Dispute, DisputeOutcome, DisputeStatus, Order, OrderEvent
from models.order import OrderStatus as Status
from models.order_state import Actor
from models.payment import Payment, PaymentStatus
from models.review import Badge, BadgeKind, Review
from models.settings import Settings
from models.types import utcnow
from models.user import User, UserRole
from resolvers import seed_data as text
from resolvers.order_chat import event_text
from resolvers.order_notices import move_notices, payment_failed_notice, placed_notice
from resolvers.reputation import recount
from resolvers.security import Passwords

DEMO_DOMAIN = "gigstream.example"  # reserved for examples: mail to it can reach no one
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
DEMO_PASSWORD = "gigstream-demo"  # noqa: S105 -- printed to whoever seeds, by design
FEE_BPS = 1000
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
AccountKind = ledger.AccountKind
# Insertion order: every table after the ones it references.
TABLES = (
    catalog.Category, catalog.Skill, User, catalog.UserSkill, Gig, catalog.GigPackage,
    catalog.Application, Order, OrderEvent, Delivery, Dispute, Payment, ledger.LedgerAccount,
    ledger.LedgerTransaction, ledger.LedgerPosting, Review, AuditLog, Badge, chat.Conversation,
    chat.ConversationParticipant, chat.Message, Notification,
)  # fmt: skip
_A_BEFORE_VOWEL = re.compile(r"\b([Aa]) (?=[aeioAEIO]|u[npl])")

Event = tuple[
    Status | None, Status, uuid.UUID | None, datetime, str | None
]  # from, to, actor, at, reason
Line = tuple[datetime, uuid.UUID | None, str]  # a chat message: at, sender (None: system), body


def _fill(template: str, **values: Any) -> str:
    # Styles and subjects vary, so the article before them has to follow.
    return _A_BEFORE_VOWEL.sub(r"\1n ", template.format(**values))


def _money(minor: int) -> str:
    return f"${minor // 100:,}.{minor % 100:02d}"


def _as_of(moment: datetime | None, at: datetime) -> bool:
    """Whether something stamped `moment` (None: never) had happened by `at`."""
    return moment is not None and moment <= at


def _global_id(type_name: str, key: uuid.UUID) -> str:
    # The schema's Relay id (schema/relay.py), rebuilt here because resolvers never import schema.
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


class Marketplace:
    """The demo rows, built in memory from one seeded generator and written in bulk afterwards."""

    def __init__(
        self,
        rng: random.Random,
        *,
        scale: int,
        password_hash: str,
        reuse: list,
        review_window: timedelta = 14 * DAY,
        delivery_window: timedelta = 3 * DAY,
    ) -> None:
        self.rng, self.scale, self.password_hash, self.now = rng, scale, password_hash, utcnow()
        self.review_window = review_window  # the settings' double-blind window
        self.delivery_window = delivery_window  # the settings' time to answer a delivery
        self.epoch = self.now - 170 * DAY  # before everyone: the taxonomy and platform accounts
        self.rows: dict[type, list[Any]] = defaultdict(list)
        # Rows that may predate the demo (the taxonomy, platform accounts) are reused, not added.
        self.known = {(type(r), getattr(r, "slug", None) or r.owner_key): r for r in reuse}
        self.users: dict[uuid.UUID, User] = {}
        self.field_of: dict[uuid.UUID, text.Field] = {}
        self.gigs: dict[uuid.UUID, Gig] = {}
        self.topic_of: dict[uuid.UUID, tuple[text.Niche, str]] = {}
        self.packages: dict[uuid.UUID, list[catalog.GigPackage]] = defaultdict(list)
        self.applications: dict[uuid.UUID, list[catalog.Application]] = defaultdict(list)
        self.open_applications: list[catalog.Application] = []  # pending, on active requests
        self.notes: dict[uuid.UUID, list[tuple]] = defaultdict(list)
        self.slugs: set[str] = set()
        self.titles: set[str] = set()

    def build(self) -> "Marketplace":
        """Create every demo row; each step refers only to rows made by the steps before it."""
        self._catalog()
        self._people()
        self.demo_gigs = [self._service_gig(self.freelancer, age=(100, 118)) for _ in range(6)]
        for _ in range(150 * self.scale):
            self._service_gig(self.rng.choice(self.freelancers))
        for n in range(50 * self.scale):
            self._request_gig(self.client if n < 4 else self.rng.choice(self.clients))
        for status, count in text.ORDER_MIX.items():
            stories = text.STORIES[status]
            for n in range(count * self.scale):
                self._order(Status(status), stories[n % len(stories)], demo=n == 0)
        for story in text.TRACK_RECORD:  # the demo freelancer's record: enough for every badge
            self._order(Status.COMPLETED, story, demo=False, star=True)
        self._reviews()
        self._reputation()
        self._inquiries()
        self._notifications()
        return self

    def add(self, row: Any, at: datetime | None = None) -> Any:
        """Keep a row, with a reproducible id and, when given, its creation time."""
        row.id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        if at is not None:
            row.created_at = row.updated_at = at
        self.rows[type(row)].append(row)
        return row

    def days_ago(self, low: float, high: float) -> datetime:
        """Pick a moment between `high` and `low` days ago."""
        return self.now - self.rng.uniform(low, high) * DAY

    def note(self, user_id: uuid.UUID | None, kind: str, body: str, target: str, at: Any) -> None:
        """Remember a notification candidate; `_notifications` keeps each user's latest."""
        if user_id is not None and at is not None and at <= self.now:
            self.notes[user_id].append((at, NotificationType(kind), body[:500], target))

    def _known(self, model: type, key: str, **fields: Any) -> Any:
        if (model, key) not in self.known:
            self.known[model, key] = self.add(model(**fields), fields.get("created_at"))
        return self.known[model, key]

    # People and catalogue ----------------------------------------------------------------------

    def _catalog(self) -> None:
        for position, field in enumerate(text.FIELDS):
            fields = {"slug": field.slug, "name": field.name, "created_at": self.epoch}
            top = self._known(catalog.Category, field.slug, position=position, **fields)
            for index, niche in enumerate(field.niches):
                fields = {"slug": niche.slug, "name": niche.name, "created_at": self.epoch}
                self._known(
                    catalog.Category, niche.slug, parent_id=top.id, position=index, **fields
                )
            for name in field.skills:
                fields = {"name": name, "slug": slugify(name), "created_at": self.epoch}
                self._known(catalog.Skill, slugify(name), **fields)

    def _people(self) -> None:
        names = [(first, last) for first in text.FIRST_NAMES for last in text.LAST_NAMES]
        self.rng.shuffle(names)
        fields = list(text.FIELDS)
        self.rng.shuffle(fields)
        self.admin = self._user("Dana Whitfield", UserRole.ADMIN, "admin", verified=True)
        self.client = self._user("Olivia Bennett", UserRole.CLIENT, "client", verified=True)
        self.freelancer = self._user(
            "Mateo Alvarez", UserRole.FREELANCER, "freelancer", text.DESIGN, verified=True
        )
        self.clients, self.freelancers = [self.client], [self.freelancer]
        for n in range(30 * self.scale - 2):
            first, last = names[n % len(names)]
            mailbox = f"{slugify(first)}.{slugify(last)}{n // len(names) or ''}"
            if n < 10 * self.scale - 1:
                self.clients.append(self._user(f"{first} {last}", UserRole.CLIENT, mailbox))
            else:
                field = fields[n % len(fields)]
                user = self._user(f"{first} {last}", UserRole.FREELANCER, mailbox, field)
                self.freelancers.append(user)

    def _user(
        self, name: str, role: UserRole, mailbox: str, field: Any = None, *, verified: bool = False
    ) -> User:
        rng = self.rng
        joined, city = self.days_ago(125, 160), rng.choice(text.LOCATIONS)
        company = rng.choice(text.COMPANIES)
        user = User(email=f"{mailbox}@{DEMO_DOMAIN}", password_hash=self.password_hash)
        self.add(user, joined).name, user.role = name, role
        self.users[user.id] = user
        user.location, user.headline = city, f"{rng.choice(text.CLIENT_ROLES)}, {company}"
        user.bio = rng.choice(text.CLIENT_BIOS).format(company=company, city=city)
        if verified or rng.random() < 0.6:
            user.phone = f"+1415555{rng.randint(0, 9999):04d}"
        if verified or rng.random() < 0.8:
            user.email_verified_at = joined + rng.uniform(0.01, 2) * HOUR
        if user.phone and (verified or rng.random() < 0.7):
            user.phone_verified_at = joined + rng.uniform(1, 48) * HOUR
        if role is UserRole.ADMIN:
            user.headline, user.bio = "Trust & Safety at Gigstream", None
        if field is not None:
            self.field_of[user.id], user.headline = field, rng.choice(field.headlines)
            years, first = rng.randint(3, 14), name.split()[0]
            bio = rng.choice(text.FREELANCER_BIOS)
            bio = bio.format(years=years, field=field.name.lower(), city=city, first=first)
            user.bio = f"{bio}\n\n{rng.choice(text.BIO_CLOSERS)}"
            for skill in rng.sample(field.skills, rng.randint(3, 6)):
                level = rng.choices(list(catalog.SkillLevel), weights=(2, 5, 4))[0]
                skill_id = self.known[catalog.Skill, slugify(skill)].id
                self.add(catalog.UserSkill(user_id=user.id, skill_id=skill_id, level=level), joined)
        return user

    # Gigs and applications ---------------------------------------------------------------------

    def _title(self, templates: tuple[str, ...], niche: text.Niche) -> tuple[str, str, str]:
        for _ in range(50):  # a repeat would do no harm, but distinct titles make search worth it
            style, subject = self.rng.choice(niche.styles), self.rng.choice(niche.subjects)
            title = _fill(self.rng.choice(templates), style=style, subject=subject)
            if title not in self.titles:
                break
        self.titles.add(title)
        return title, style, subject

    def _gig(
        self, owner: User, niche: text.Niche, status: GigStatus, age: Any, **fields: Any
    ) -> Gig:
        # Skewed towards old gigs, so that most orders find a gig published before them.
        age = age or (118 - 116 * self.rng.random() ** 2,) * 2
        base = slugify(fields["title"])
        while (slug := f"{base}-{self.rng.getrandbits(24):06x}") in self.slugs:
            pass  # rare: a suffix already taken
        self.slugs.add(slug)
        category_id = self.known[catalog.Category, niche.slug].id
        gig = Gig(owner_id=owner.id, status=status, slug=slug, category_id=category_id, **fields)
        self.add(gig, self.days_ago(*age)).listed_at = gig.created_at
        self.gigs[gig.id] = gig
        if status is not GigStatus.DRAFT:
            gig.published_at = gig.updated_at = gig.created_at + self.rng.uniform(0.01, 1) * DAY
            gig.listed_at = gig.published_at
            live_days = (self.now - gig.published_at) / DAY
            gig.view_count = int(live_days * self.rng.uniform(2, 30))
            if status is not GigStatus.ACTIVE:
                gig.updated_at += self.rng.uniform(0, live_days) * DAY
        return gig

    def _service_gig(self, owner: User, *, age: tuple[float, float] | None = None) -> Gig:
        rng = self.rng
        niche = rng.choice(self.field_of[owner.id].niches)
        title, style, subject = self._title(niche.titles, niche)
        tiers = list(catalog.PackageTier)[: rng.choices((1, 2, 3), weights=(20, 25, 55))[0]]
        offer = "\n".join(f"- {tier.title()}: {niche.tiers[n]}" for n, tier in enumerate(tiers))
        pitch, process = _fill(niche.pitch, style=style, subject=subject), rng.choice(text.PROCESS)
        closing = rng.choice(text.CLOSINGS)
        description = f"{pitch}\n\nWhat you get:\n{offer}\n\n{process}\n\n{closing}"
        status = GigStatus.ACTIVE if age else rng.choices(list(GigStatus), weights=(5, 86, 5, 4))[0]
        tags = sorted(rng.sample(niche.tags, rng.randint(3, 5)))
        fields = {"title": title, "description": description, "tags": tags}
        gig = self._gig(owner, niche, status, age, kind=GigKind.SERVICE, **fields)
        self.topic_of[gig.id] = (niche, subject)
        base = 5 * round(rng.randint(*niche.price) / 5)
        spreads = ((1, 1), (1.8, 2.5), (3.5, 5))
        prices = [5 * round(base * rng.uniform(*spread) / 5) for spread in spreads]
        days = [niche.days, niche.days + rng.randint(1, 3), niche.days + rng.randint(4, 8)]
        for n, tier in enumerate(tiers):
            package = catalog.GigPackage(
                gig_id=gig.id, tier=tier, title=("Starter", "Standard", "Premium")[n],
                description=niche.tiers[n], price=prices[n] * 100, delivery_days=days[n],
                revisions=(1, 3, 5)[n],
            )  # fmt: skip
            self.packages[gig.id].append(self.add(package, gig.created_at))
        gig.min_price, gig.max_price = prices[0] * 100, prices[len(tiers) - 1] * 100
        return gig

    def _request_gig(self, owner: User) -> None:
        rng = self.rng
        niche = rng.choice(rng.choice(text.FIELDS).niches)
        title, style, subject = self._title(niche.requests, niche)
        budget = 10 * round(rng.randint(*niche.price) * rng.uniform(1.5, 4) / 10) * 100
        brief, extra = _fill(niche.brief, style=style, subject=subject), text.REQUEST_EXTRAS
        description = f"{brief}\n\n{rng.choice(extra)}\n\nBudget: {_money(budget)}."
        status = rng.choices(list(GigStatus), weights=(6, 88, 0, 6))[0]
        tags = sorted(rng.sample(niche.tags, rng.randint(2, 4)))
        fields = {"title": title, "description": description, "tags": tags}
        gig = self._gig(owner, niche, status, None, kind=GigKind.REQUEST, **fields)
        self.topic_of[gig.id] = (niche, subject)
        gig.budget = gig.min_price = gig.max_price = budget
        gig.deadline = (gig.published_at or gig.created_at) + rng.uniform(14, 45) * DAY
        if status is GigStatus.ACTIVE:  # still open, so its deadline lies ahead
            gig.deadline = max(gig.deadline, self.now + rng.uniform(5, 40) * DAY)
        if gig.published_at is not None:
            self._applications(gig, niche, subject)

    def _applications(self, gig: Gig, niche: text.Niche, subject: str) -> None:
        rng = self.rng
        experts = [f for f in self.freelancers if niche in self.field_of[f.id].niches]
        pool = list({f.id: f for f in [*experts, *rng.sample(self.freelancers, 2)]}.values())
        live_days = (self.now - gig.published_at) / DAY
        for freelancer in rng.sample(pool, min(len(pool), rng.choice((0, 1, 2, 2, 3, 3, 4, 5)))):
            at = gig.published_at + rng.uniform(0.05, min(4, live_days - 0.01)) * DAY
            days, years = niche.days + rng.randint(0, 7), rng.randint(3, 12)
            letter = rng.choice(text.COVER_LETTERS).format(days=days, topic=subject, years=years)
            price = 5 * round(gig.budget / 100 * rng.uniform(0.75, 1.1) / 5) * 100
            application = catalog.Application(
                gig_id=gig.id, freelancer_id=freelancer.id, price=price
            )
            application.cover_letter, application.delivery_days = letter, days
            self.applications[gig.id].append(self.add(application, at))
            target = _global_id("Application", application.id)
            body = f"{freelancer.name} applied to “{gig.title}”"
            self.note(gig.owner_id, "APPLICATION_RECEIVED", body, target, at)
            status = rng.choices(list(ApplicationStatus), weights=(70, 0, 20, 10))[0]
            decided = at + rng.uniform(0.3, 3) * DAY
            if status is not ApplicationStatus.PENDING and decided <= self.now:
                self._decide(application, status, decided, gig)
            elif gig.status is GigStatus.ACTIVE:
                self.open_applications.append(application)

    def _decide(
        self, application: Any, status: ApplicationStatus, at: datetime, gig: Gig, order: Any = None
    ) -> None:
        application.status, application.decided_at, application.updated_at = status, at, at
        if status is not ApplicationStatus.WITHDRAWN:  # withdrawing is the freelancer's own act
            verb = "accepted: you are hired" if status is ApplicationStatus.ACCEPTED else "declined"
            body = f"Your application to “{gig.title}” was {verb}"
            # The hired freelancer is pointed to the order the application became.
            kind, key = ("Order", order.id) if order else ("Application", application.id)
            target = _global_id(kind, key)
            self.note(application.freelancer_id, f"APPLICATION_{status}", body, target, at)

    # Orders ------------------------------------------------------------------------------------

    def _order(
        self, status: Status, story: tuple[str, ...], *, demo: bool, star: bool = False
    ) -> None:
        for _ in range(200):
            order, gig, application = self._offer(demo=demo, star=star)
            prompt = order.seller_id == self.freelancer.id  # the demo freelancer delivers on time
            steps = self._timeline(story, order.delivery_days, prompt=prompt)
            start = self._start(status, gig, application, steps[-1][1] if steps else 0.0)
            if start is not None:
                break
        else:
            raise RuntimeError(f"no demo gig is old enough for a {status} order")
        self.add(order, start)
        roles = {"buyer": order.buyer_id, "seller": order.seller_id, "admin": self.admin.id}
        events: list[Event] = [(None, Status.PENDING_PAYMENT, order.buyer_id, start, None)]
        for step, offset in steps:
            to, role, _gap = text.STEPS[step]
            reason = self.rng.choice(text.STEP_REASONS[step]) if step in text.STEP_REASONS else None
            events.append(
                (events[-1][1], Status(to), roles.get(role), start + offset * DAY, reason)
            )
        at = {step: start + offset * DAY for step, offset in steps}
        deliveries = [start + offset * DAY for step, offset in steps if step == "deliver"]
        self._stamp(order, events, at, deliveries)
        if application is not None:
            self._hire(application, gig, order)
        self._history(order, events, deliveries)
        self._dispute(order, events, at)
        self._settle(order, story)
        self._order_chat(order, events)
        self._order_notes(order, events)
        gig.order_count += order.funded_at is not None

    def _offer(self, *, demo: bool, star: bool) -> tuple[Order, Gig, Any]:
        """Draft an order: a package of an active service, or now and then a hired application.

        `demo`: the demo client buys from the demo freelancer; `star`: anyone buys from them.
        """
        rng = self.rng
        if not demo and not star and rng.random() < 0.25 and self.open_applications:
            application = rng.choice(self.open_applications)
            gig = self.gigs[application.gig_id]
            order = Order(
                gig_id=gig.id, application_id=application.id, buyer_id=gig.owner_id,
                seller_id=application.freelancer_id, title=gig.title, price=application.price,
                requirements=gig.description.split("\n\n")[0], revisions_included=2,
                delivery_days=application.delivery_days,
            )  # fmt: skip
            return order, gig, application
        gig = rng.choice(self._active_services(self.demo_gigs if demo or star else self.rows[Gig]))
        packages = self.packages[gig.id]
        package = rng.choices(packages, weights=(45, 35, 20)[: len(packages)])[0]
        buyer = self.client if demo or rng.random() < 0.12 else rng.choice(self.clients)
        order = Order(
            gig_id=gig.id, package_id=package.id, buyer_id=buyer.id, seller_id=gig.owner_id,
            title=gig.title, requirements=rng.choice(text.REQUIREMENTS), price=package.price,
            delivery_days=package.delivery_days, revisions_included=package.revisions,
        )  # fmt: skip
        return order, gig, None

    def _active_services(self, gigs: list[Gig]) -> list[Gig]:
        return [g for g in gigs if g.kind is GigKind.SERVICE and g.status is GigStatus.ACTIVE]

    def _timeline(
        self, story: tuple[str, ...], days: int, *, prompt: bool
    ) -> list[tuple[str, float]]:
        """Offsets in days from the order's creation to each step of its story."""
        offset, funded, steps = 0.0, 0.0, []
        for step in story:
            gap = self.rng.uniform(*text.STEPS[step][2])
            if step == "deliver" and "deliver" not in story[: len(steps)]:
                # A few first deliveries are late; a prompt seller's come well before the due date.
                gap = days * self.rng.uniform(0.4, 0.8 if prompt else 1.15)
            offset = funded + days + gap if step == "late" else offset + gap
            funded = offset if step == "fund" else funded
            steps.append((step, offset))
        return steps

    def _start(
        self, status: Status, gig: Gig, application: Any, duration: float
    ) -> datetime | None:
        """When an order that lasts `duration` days starts; None if its gig is too young for it."""
        earliest = max(gig.published_at, getattr(application, "created_at", gig.published_at))
        earliest += HOUR
        if status.value in text.SLACK:  # still moving: its last step was recent
            start = self.now - (duration + self.rng.uniform(*text.SLACK[status.value])) * DAY
            return start if start >= earliest else None
        low, high = max(earliest, self.now - 110 * DAY), self.now - (duration + 0.5) * DAY
        return low + (high - low) * self.rng.random() if low < high else None

    def _stamp(self, order: Order, events: list[Event], at: dict, deliveries: list) -> None:
        order.status, order.version, order.updated_at = events[-1][1], len(events), events[-1][3]
        order.fee, order.fee_bps = order.price * FEE_BPS // 10_000, FEE_BPS
        order.funded_at = at.get("fund")
        order.due_at = order.funded_at and order.funded_at + order.delivery_days * DAY
        order.delivered_at = deliveries[-1] if deliveries else None
        order.completed_at = next((at[s] for s in ("approve", "auto", "release") if s in at), None)
        cancels = ("cancel", "expire", "withdraw", "late")
        order.cancelled_at = next((at[s] for s in cancels if s in at), None)
        order.revisions_used = sum(to is Status.REVISION_REQUESTED for _, to, *_ in events)
        if order.status is Status.DELIVERED:  # the scheduler completes it if the buyer stays silent
            order.auto_complete_at = order.delivered_at + 3 * DAY
        if order.status is Status.PENDING_PAYMENT:
            order.expires_at = order.created_at + DAY

    def _hire(self, application: catalog.Application, gig: Gig, order: Order) -> None:
        self.open_applications = [a for a in self.open_applications if a.gig_id != gig.id]
        at = order.created_at
        self._decide(application, ApplicationStatus.ACCEPTED, at, gig, order)
        for other in self.applications[gig.id]:
            if other.status is ApplicationStatus.PENDING and other.created_at < at:
                self._decide(other, ApplicationStatus.DECLINED, at, gig)

    def _history(self, order: Order, events: list[Event], deliveries: list[datetime]) -> None:
        for source, to, actor, at, reason in events:
            event = OrderEvent(order_id=order.id, actor_id=actor, from_status=source, to_status=to)
            event.reason, event.at = reason, at
            self.add(event, at)
        for number, at in enumerate(deliveries, 1):
            message = self.rng.choice(text.DELIVERIES if number == 1 else text.REDELIVERIES)
            self.add(Delivery(order_id=order.id, message=message, number=number), at)

    def _dispute(self, order: Order, events: list[Event], at: dict[str, datetime]) -> None:
        opened = next((event for event in events if event[1] is Status.DISPUTED), None)
        if opened is None:
            return
        evidence = self.rng.choice(text.DISPUTE_EVIDENCE)
        dispute = Dispute(order_id=order.id, opened_by_id=opened[2], reason=opened[4])
        self.add(dispute, opened[3]).evidence = evidence
        for outcome, share in ((DisputeOutcome.RELEASE, order.price), (DisputeOutcome.REFUND, 0)):
            if (resolved := at.get(outcome.value.lower())) is not None:
                dispute.status, dispute.outcome = DisputeStatus.RESOLVED, outcome
                dispute.seller_share_minor, dispute.resolved_by_id = share, self.admin.id
                dispute.resolved_at = resolved
                dispute.note, dispute.updated_at = text.RESOLUTION_NOTES[outcome.value], resolved

    def _settle(self, order: Order, story: tuple[str, ...]) -> None:
        """Record the payment, and post the ledger movements that the order's story implies."""
        unpaid = {("cancel",): PaymentStatus.FAILED, ("expire",): PaymentStatus.CANCELLED}
        status = unpaid.get(story)
        if order.funded_at is not None:
            status = PaymentStatus.SUCCEEDED
        elif order.status is Status.PENDING_PAYMENT and self.rng.random() < 0.6:
            status = PaymentStatus.REQUIRES_CONFIRMATION
        if status is not None:
            reference = f"sim_pi_{self.rng.getrandbits(96):024x}"
            payment = Payment(
                order_id=order.id, provider="simulator", provider_payment_id=reference,
                amount=order.price, status=status,
            )  # fmt: skip
            self.add(payment, order.created_at + self.rng.uniform(1, 10) * MINUTE)
            payment.updated_at = order.funded_at or order.updated_at
            if status is PaymentStatus.FAILED:
                payment.failure_reason = "Card declined: insufficient funds"
                notice = payment_failed_notice(order, payment)
                target = _global_id("Order", order.id)
                self.note(notice.user_id, notice.type, notice.text, target, payment.created_at)
        if order.funded_at is None:
            return
        self._post(funding(order), order, order.funded_at)
        if order.status is Status.COMPLETED:
            self._post(settlement(order), order, order.completed_at)
        if order.status is Status.REFUNDED:
            self._post(settlement(order, seller_share=0), order, order.updated_at)

    def _account(self, kind: ledger.AccountKind, **owner: uuid.UUID) -> ledger.LedgerAccount:
        key = ledger.owner_key(kind, **owner)
        fields = {"kind": kind, "owner_key": key, "created_at": self.epoch, **owner}
        return self._known(ledger.LedgerAccount, key, **fields)

    def _post(self, movement: Movement, order: Order, at: datetime | None) -> None:
        """Post a movement of the real lifecycle's (`models.escrow`), as `resolvers.ledger` does."""
        transaction = ledger.LedgerTransaction(
            kind=movement.kind, order_id=order.id, idempotency=movement.idempotency
        )
        self.add(transaction, at).memo = memo(movement, order)[:500]
        for leg in movement.legs:
            owner = {"user_id": leg.user_id} if leg.user_id else {}
            owner |= {"order_id": leg.order_id} if leg.order_id else {}
            account = self._account(leg.kind, **owner)
            posting = ledger.LedgerPosting(transaction_id=transaction.id, account_id=account.id)
            self.add(posting, at).amount = leg.amount

    def _order_notes(self, order: Order, events: list[Event]) -> None:
        """What the real lifecycle tells each side of each move (`resolvers.order_notices`)."""
        target = _global_id("Order", order.id)
        actors = {order.buyer_id: Actor.BUYER, order.seller_id: Actor.SELLER}
        for source, to, actor_id, at, reason in events:
            if source is None:
                if order.application_id is None:  # a hire is news as the application's answer
                    notices = [placed_notice(order, self.users[order.buyer_id].name)]
                else:
                    notices = []
            else:
                actor = actors.get(actor_id, Actor.ADMIN if actor_id else Actor.SYSTEM)
                movement = movement_of(order, source, to)
                notices = move_notices(
                    order, source, to, actor=actor, reason=reason, movement=movement
                )
            for notice in notices:
                self.note(notice.user_id, notice.type, notice.text, target, at)

    # Chat, reviews, badges, notifications ------------------------------------------------------

    def _order_chat(self, order: Order, events: list[Event]) -> None:
        rng, buyer, seller, lines = self.rng, order.buyer_id, order.seller_id, []
        for index, (source, to, _actor, at, reason) in enumerate(events):
            deliveries = sum(e[1] is Status.DELIVERED for e in events[: index + 1])
            body = event_text(
                order,
                source,
                to,
                reason=reason,
                deliveries=deliveries,
                review_window=self.delivery_window,
            )
            if body is not None:
                lines.append((at, None, body))
        opener = order.created_at + rng.uniform(2, 40) * MINUTE
        lines.append((opener, buyer, rng.choice(text.BUYER_OPENERS)))
        if order.funded_at:
            ack = order.funded_at + rng.uniform(0.5, 6) * HOUR
            lines.append((ack, seller, rng.choice(text.SELLER_ACKS)))
        working = order.delivered_at - order.funded_at if order.delivered_at else DAY
        if working > 2 * DAY:
            midway = order.funded_at + working / 2
            lines.append((midway, seller, rng.choice(text.SELLER_UPDATES)))
        for event, after in itertools.pairwise(events):
            if event[1] is Status.DELIVERED and after[2] == buyer:  # answered before acting on it
                reply = after[3] - rng.uniform(0.05, 0.5) * HOUR
                lines.append((reply, buyer, rng.choice(text.BUYER_AFTER_DELIVERY[after[1]])))
        if order.completed_at and rng.random() < 0.6:
            thanks = order.completed_at + rng.uniform(1, 20) * HOUR
            lines.append((thanks, seller, rng.choice(text.SELLER_THANKS)))
        kind = chat.ConversationKind.ORDER
        self._conversation(kind, order.gig_id, [buyer, seller], lines, order_id=order.id)

    def _conversation(
        self, kind: Any, gig_id: uuid.UUID, people: list, lines: list[Line], **fields: Any
    ) -> Any:
        lines = sorted((line for line in lines if line[0] <= self.now), key=lambda line: line[0])
        conversation = self.add(chat.Conversation(kind=kind, gig_id=gig_id, **fields), lines[0][0])
        messages = []
        for seq, (at, sender, body) in enumerate(lines, 1):
            message = chat.Message(conversation_id=conversation.id, sender_id=sender, seq=seq)
            messages.append(self.add(message, at))
            message.body = body
            if sender is None:
                message.kind = chat.MessageKind.SYSTEM
            else:  # what a client sends to make retries idempotent
                message.client_message_id = f"{self.rng.getrandbits(128):032x}"
        last = messages[-1]
        conversation.message_count, conversation.last_message_id = last.seq, last.id
        conversation.last_message_at = conversation.updated_at = last.created_at
        for user_id in people:
            seen = last.seq
            # Recent threads are sometimes unread, though never before one's own last message.
            if last.created_at > self.now - 7 * DAY and self.rng.random() < 0.6:
                own = max((m.seq for m in messages if m.sender_id == user_id), default=0)
                seen = max(own, seen - self.rng.randint(1, 3))
            member = chat.ConversationParticipant(conversation_id=conversation.id, user_id=user_id)
            self.add(member, conversation.created_at).last_read_seq = seen
            if seen:
                member.last_read_at = member.updated_at = messages[seen - 1].created_at
        return conversation

    def _inquiries(self) -> None:
        rng, keys = self.rng, set()
        live = self._active_services(self.rows[Gig])
        for n in range(15 * self.scale):
            demo = n < 2  # the demo client has asked the demo freelancer about two gigs
            gig = self.demo_gigs[n] if demo else rng.choice(live)
            buyer = self.client if demo else rng.choice(self.clients)
            key = chat.inquiry_key(gig_id=gig.id, buyer_id=buyer.id)
            if key in keys:
                continue
            keys.add(key)
            seller, (niche, subject) = self.users[gig.owner_id], self.topic_of[gig.id]
            at = max(gig.published_at, self.now - 60 * DAY)
            at += rng.uniform(0, (self.now - at) / DAY - 0.1) * DAY
            names = {"buyer": buyer.name.split()[0], "seller": seller.name.split()[0]}
            lines = []
            for k, line in enumerate(rng.choice(text.INQUIRIES)):
                body = line.format(subject=subject, days=niche.days, **names)
                lines.append((at, seller.id if k % 2 else buyer.id, body))
                at += rng.uniform(0.2, 18) * HOUR
            kind, people = chat.ConversationKind.INQUIRY, [buyer.id, seller.id]
            conversation = self._conversation(kind, gig.id, people, lines, inquiry_key=key)
            body = f"{buyer.name} sent you a message about “{gig.title}”"
            target = _global_id("Conversation", conversation.id)
            self.note(seller.id, "MESSAGE_RECEIVED", body, target, lines[0][0])

    def _reviews(self) -> None:
        """Review completed orders double-blind, as resolvers/reviews.py does, and moderate some.

        A review stays with its author until the other side has written theirs (both are
        published then) or the window closes; a review of a recent order may still wait.
        """
        rng, span = self.rng, min(5 * DAY, self.review_window)
        for order in self.rows[Order]:
            if order.status is not Status.COMPLETED:
                continue
            closes, pair = order.completed_at + self.review_window, []
            sides = (order.buyer_id, order.seller_id, 0.9), (order.seller_id, order.buyer_id, 0.75)
            for author, subject, chance in sides:
                at = order.completed_at + rng.uniform(0.01, 1) * span
                if rng.random() < chance and at <= self.now and at < closes:
                    pair.append(self._review(order, author, subject, at))
            if not pair:
                continue
            first, title = min(pair, key=lambda review: review.created_at), order.title
            body = f"{self.users[first.author_id].name} reviewed you on “{title}”"
            body, target = f"{body}: review them too to see it", _global_id("Order", order.id)
            self.note(first.subject_id, "REVIEW_RECEIVED", body, target, first.created_at)
            published = max(r.created_at for r in pair) if len(pair) == 2 else closes
            if published > self.now:
                continue
            for review in pair:
                review.published_at = review.updated_at = published
                body = f"{self.users[review.author_id].name}'s review of you on “{title}”"
                body, target = f"{body} is published", _global_id("Review", review.id)
                self.note(review.subject_id, "REVIEW_PUBLISHED", body, target, published)
                replied = published + rng.uniform(0.1, 3) * DAY
                if review.quality and replied <= self.now and rng.random() < 0.3:
                    review.reply, review.replied_at = rng.choice(text.REPLIES), replied
        visible = [r for r in self.rows[Review] if r.published_at and r.quality and not r.reply]
        for review in rng.sample(visible, min(self.scale, len(visible))):  # moderation at work
            review.comment, review.hidden_reason = text.HIDDEN_REVIEW
            review.hidden_at = min(self.now, review.published_at + rng.uniform(0.2, 2) * DAY)
            review.hidden_by_id, review.rating = self.admin.id, 5
            review.updated_at = review.hidden_at
            detail = {"reason": review.hidden_reason, "subject_id": str(review.subject_id)}
            audit = AuditLog(actor_id=self.admin.id, action="review.hide", target_type="review")
            self.add(audit, review.hidden_at).target_id, audit.detail = review.id, detail

    def _review(self, order: Order, author: uuid.UUID, subject: uuid.UUID, at: datetime) -> Review:
        rng, by_buyer = self.rng, author == order.buyer_id
        weights = text.SELLER_RATINGS  # what sellers think of their buyers
        if by_buyer:
            weights = text.STAR_RATINGS if subject == self.freelancer.id else text.BUYER_RATINGS
        rating = rng.choices((5, 4, 3, 2, 1), weights=weights)[0]
        comment = rng.choice(text.BUYER_REVIEWS[rating] if by_buyer else text.SELLER_REVIEWS)
        review = Review(
            order_id=order.id, author_id=author, subject_id=subject, gig_id=order.gig_id
        )
        self.add(review, at).rating, review.comment = rating, comment
        if by_buyer:  # the detailed ratings describe the work, so only buyers give them
            review.communication, review.quality, review.timeliness = (
                max(1, min(5, rating + rng.choice((-1, 0, 0, 0, 1)))) for _ in range(3)
            )
        return review

    def _reputation(self) -> None:
        """Award badges as the real code evaluates them, then store the recounted aggregates.

        `resolvers.badges.award_badges` evaluates a user's standing when an order of theirs
        completes (both sides) and when a review of them is published; a badge, once earned,
        is kept. The standing at each such moment is the recount of the rows as they stood.
        """
        orders_of: dict[uuid.UUID, list[Order]] = defaultdict(list)
        reviews_of: dict[uuid.UUID, list[Review]] = defaultdict(list)
        moments = []
        for order in self.rows[Order]:
            orders_of[order.buyer_id].append(order)
            orders_of[order.seller_id].append(order)
            if order.status is Status.COMPLETED:
                moments += [
                    (order.completed_at, order.seller_id),
                    (order.completed_at, order.buyer_id),
                ]
        for review in self.rows[Review]:
            reviews_of[review.subject_id].append(review)
            # Publishing an already hidden review counts nothing, so evaluates nothing either.
            if review.published_at is not None and not _as_of(
                review.hidden_at, review.published_at
            ):
                moments.append((review.published_at, review.subject_id))
        held: dict[uuid.UUID, set[BadgeKind]] = defaultdict(set)
        for at, user_id in sorted(moments):
            user = self.users[user_id]
            tally = recount(orders_of[user_id], reviews_of[user_id], at=at)[0][user_id]
            standing = Standing(
                completed_orders=tally.completed_orders, on_time_orders=tally.on_time_orders,
                rating_sum=tally.rating_sum, rating_count=tally.rating_count,
                email_verified=_as_of(user.email_verified_at, at),
                phone_verified=_as_of(user.phone_verified_at, at),
            )  # fmt: skip
            for rule in earned_badges(standing):
                if rule.badge not in held[user_id]:
                    held[user_id].add(rule.badge)
                    self.add(Badge(user_id=user_id, badge=rule.badge, awarded_at=at), at)
                    body, target = f"You earned a badge: {rule.title}", _global_id("User", user_id)
                    self.note(user_id, "BADGE_AWARDED", body, target, at)
        users, gigs = recount(self.rows[Order], self.rows[Review])
        for user_id, tally in users.items():
            for name, value in asdict(tally).items():
                setattr(self.users[user_id], name, value)
        for gig_id, tally in gigs.items():
            gig = self.gigs[gig_id]
            gig.rating_sum, gig.rating_count = tally.rating_sum, tally.rating_count

    def _notifications(self) -> None:
        """Keep each user's latest few; the recent ones are still unread."""
        for user_id, notes in self.notes.items():
            for index, (at, kind, body, target) in enumerate(sorted(notes, reverse=True)[:8]):
                notification = Notification(user_id=user_id, type=kind, text=body, target_id=target)
                self.add(notification, at)
                if at < self.now - 3 * DAY and (index or self.rng.random() < 0.6):
                    read = min(self.now, at + self.rng.uniform(0.1, 20) * HOUR)
                    notification.read_at = notification.updated_at = read


async def seed_marketplace(settings: Settings, *, scale: int = 1, out: TextIO) -> None:
    """Fill the database with a demo marketplace, or say that it is there and change nothing."""
    started = time.perf_counter()
    engine = create_engine(settings, pool=False)
    try:
        async with open_session(session_factory(engine)) as session:
            if await session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)):
                print(f"seed: the demo data is already there ({ADMIN_EMAIL}): no change", file=out)
                return
            print(f"seed: building a demo marketplace at scale {scale}", file=out)
            password_hash = await Passwords(settings).hash(DEMO_PASSWORD)  # once: argon2 is slow
            rng = random.Random(42)  # noqa: S311 -- reproducible demo data, not secrets
            reuse = await _reusable_rows(session)
            market = Marketplace(
                rng, scale=max(1, scale), password_hash=password_hash, reuse=reuse,
                review_window=timedelta(seconds=settings.review_blind_window_seconds),
                delivery_window=timedelta(seconds=settings.review_window_seconds),
            )  # fmt: skip
            market.build()
            try:
                count = await _write(session, market, out)
                await session.commit()
            except IntegrityError as error:  # e.g. a concurrent seed, or a demo email taken
                await session.rollback()
                reason = str(error.orig).splitlines()[0]
                print(f"seed: nothing changed: conflicting rows exist ({reason})", file=out)
                return
    finally:
        await engine.dispose()
    print(f"seed: wrote {count} rows in {time.perf_counter() - started:.1f} s", file=out)
    _print_logins(market, out)


async def _reusable_rows(session: AsyncSession) -> list[Any]:
    platform = (AccountKind.EXTERNAL_FUNDING, AccountKind.PLATFORM_FEES, AccountKind.REFUNDS)
    accounts = select(ledger.LedgerAccount).where(
        ledger.LedgerAccount.kind.in_(platform), ledger.LedgerAccount.currency == "USD"
    )
    rows = [*await session.scalars(select(catalog.Category)), *await session.scalars(accounts)]
    return rows + list(await session.scalars(select(catalog.Skill)))


async def _write(session: AsyncSession, market: Marketplace, out: TextIO) -> int:
    for model in TABLES:
        if rows := market.rows.get(model):
            await session.execute(insert(model), [row.model_dump() for row in rows])
        print(f"  {model.__table__.name:<26}{len(rows or ()):>7}", file=out)
    return sum(len(rows) for rows in market.rows.values())


def _print_logins(market: Marketplace, out: TextIO) -> None:
    shown = [market.admin, market.client, market.freelancer]
    shown += market.clients[1:4] + market.freelancers[1:4]
    print(f"\nDemo logins (every account's password is {DEMO_PASSWORD}):", file=out)
    print(f"  {'email':<36}{'password':<18}role", file=out)
    for user in shown:
        print(f"  {user.email:<36}{DEMO_PASSWORD:<18}{user.role}", file=out)
    print(f"  ...and {len(market.users) - len(shown)} more @{DEMO_DOMAIN} accounts", file=out)
