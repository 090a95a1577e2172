"""Orders: a small marketplace, a clock the test moves, webhooks delivered into the app."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from models.catalog import Gig, GigKind
from models.file import FileStatus, StoredFile
from models.types import utcnow
from models.user import User, UserRole
from resolvers.clock import Clock
from tests.factories import make_application, make_category, make_gig, make_user
from tests.orders.api import Api


class MovableClock(Clock):
    """Real time, moved forward on request."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(services) -> Any:
    real, services.clock = services.clock, MovableClock()
    yield services.clock
    services.clock = real


@pytest.fixture
def webhooks_into_the_app(app, services) -> Any:
    """The simulator's webhooks go to the app in this process, through its HTTP stack."""
    provider = services.payments
    real, provider.transport = provider.transport, httpx.ASGITransport(app=app)
    yield
    provider.transport = real


@dataclass
class Market:
    buyer: User
    seller: User
    client: User  # who posts the request
    freelancer: User  # who applies to it
    rival: User  # who applies too, and is declined
    admin: User
    stranger: User
    service: Gig  # BASIC $50 (3 days, 1 revision), STANDARD $120
    request: Gig
    category: Any


@pytest.fixture
async def market(services) -> Market:
    category = await make_category(services)
    seller = await make_user(services, role=UserRole.FREELANCER, name="Sol Seller")
    client = await make_user(services, role=UserRole.CLIENT, name="Cleo Client")
    return Market(
        buyer=await make_user(services, role=UserRole.CLIENT, name="Bea Buyer"),
        seller=seller,
        client=client,
        freelancer=await make_user(services, role=UserRole.FREELANCER, name="Fin Freelancer"),
        rival=await make_user(services, role=UserRole.FREELANCER, name="Rae Rival"),
        admin=await make_user(services, role=UserRole.ADMIN, name="Ada Admin"),
        stranger=await make_user(services, role=UserRole.CLIENT, name="Stan Stranger"),
        service=await make_gig(
            services, owner=seller, category=category, prices=(5000, 12000), title="Logo design"
        ),
        request=await make_gig(
            services,
            owner=client,
            category=category,
            kind=GigKind.REQUEST,
            prices=(40000,),
            title="Build my booking site",
        ),
        category=category,
    )


@pytest.fixture
async def applications(services, market) -> tuple[Any, Any]:
    """The freelancer's application to the request ($400, 7 days), and a rival's."""
    hired = await make_application(services, gig=market.request, freelancer=market.freelancer)
    rival = await make_application(
        services, gig=market.request, freelancer=market.rival, price=35000
    )
    return hired, rival


@pytest.fixture
def api(gql, services, clock, webhooks_into_the_app) -> Api:
    return Api(gql, services)


async def make_file(services, *, owner, purpose, status=FileStatus.READY) -> StoredFile:
    """A file as if uploaded and checked, without any bytes (nothing here reads them)."""
    file_id = uuid.uuid4()
    file = StoredFile(
        id=file_id,
        owner_id=owner.id,
        purpose=purpose,
        status=status,
        filename="work.pdf",
        declared_content_type="application/pdf",
        content_type="application/pdf",
        declared_size=10,
        size=10,
        storage_key=f"files/{file_id}",
    )
    async with services.sessions() as session:
        session.add(file)
        await session.commit()
    return file
