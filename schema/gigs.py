"""Gigs over GraphQL: the `Gig` type, `gig`, `gigs`, `categories`, and the gig mutations."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info, get_object_definition
from strawberry.utils.str_converters import to_camel_case

from models import catalog as m
from models.reputation import average_rating
from resolvers import catalog, gigs
from resolvers.context import Context
from resolvers.gigs import GigChanges, PackageInput
from resolvers.search import GigFilter as GigFilterSpec
from resolvers.search import GigSort as GigSortModel
from resolvers.search import search_gigs
from schema.catalog import Category, GigKind, GigStatus, Package, PackageTier, RowBacked
from schema.errors import UserError, attempt
from schema.files import NO_FILE, File
from schema.ids import id_of
from schema.money import Money, money
from schema.node import Node, register_node
from schema.pagination import Connection
from schema.prefetch import fields_at, prime_gig_page, selected_paths
from schema.relay import decode_id, encode_id
from schema.users import User

if TYPE_CHECKING:
    from schema.applications import ApplicationConnection
    from schema.reviews import ReviewConnection

GigSort = strawberry.enum(GigSortModel, name="GigSort")


@strawberry.type(
    name="Gig", description="A SERVICE a freelancer sells, or a REQUEST a client posts."
)
class Gig(Node, RowBacked):
    kind: GigKind
    status: GigStatus
    slug: str
    title: str
    description: str
    tags: list[str]
    deadline: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    @staticmethod
    def id(root: Any) -> strawberry.ID:
        return encode_id("Gig", root.id)

    @strawberry.field(
        description="Who posted it: the freelancer of a SERVICE, the client of a REQUEST."
    )
    @staticmethod
    def seller(root: Any, info: Info[Context, None]) -> User:
        return info.context.loaders.user_by_id.now(root.owner_id)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    def category(root: Any, info: Info[Context, None]) -> Category:
        return info.context.loaders.category_by_id.now(root.category_id)  # type: ignore[return-value]

    @strawberry.field(description="A SERVICE's packages, cheapest first; empty for a REQUEST.")
    @staticmethod
    def packages(root: Any, info: Info[Context, None]) -> list[Package]:
        return info.context.loaders.packages_by_gig_id.now(root.id)  # type: ignore[return-value]

    @strawberry.field(description="Pictures of the work, in the order their owner set.")
    @staticmethod
    def images(root: Any, info: Info[Context, None]) -> list[File]:
        return info.context.loaders.images_by_gig_id.now(root.id)  # type: ignore[return-value]

    @strawberry.field(description="The cheapest package, or the budget of a REQUEST.")
    @staticmethod
    def price_from(root: Any) -> Money:
        return money(root.min_price, root.currency)

    @strawberry.field(description="The dearest package, or the budget of a REQUEST.")
    @staticmethod
    def price_to(root: Any) -> Money:
        return money(root.max_price, root.currency)

    @strawberry.field(description="What the client of a REQUEST means to spend.")
    @staticmethod
    def budget(root: Any) -> Money | None:
        return money(root.budget, root.currency)

    @strawberry.field(description="Average rating, 1 to 5, or null before the first review.")
    @staticmethod
    def rating(root: Any) -> float | None:
        return average_rating(root.rating_sum, root.rating_count)

    @strawberry.field
    @staticmethod
    def review_count(root: Any) -> int:
        return root.rating_count

    @strawberry.field
    @staticmethod
    def order_count(root: Any) -> int:
        return root.order_count

    @strawberry.field(
        description="Views of the gig's page; counted in batches, so it lags a little."
    )
    @staticmethod
    def view_count(root: Any) -> int:
        return root.view_count

    @strawberry.field(description="Whether the viewer saved this gig; false when anonymous.")
    @staticmethod
    def is_favorite(root: Any, info: Info[Context, None]) -> bool:
        return info.context.loaders.is_favorite_by_gig_id.now(root.id)  # type: ignore[return-value]

    @strawberry.field(
        description="Applications to a REQUEST, newest first: all for its owner, else your own."
    )
    @staticmethod
    async def applications(
        root: Any, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Annotated["ApplicationConnection", strawberry.lazy("schema.applications")]:
        from schema.applications import gig_applications

        return await gig_applications(info.context, root, first=first, after=after)

    @strawberry.field(description="Published reviews its buyers wrote, newest first.")
    @staticmethod
    async def reviews(
        root: Any, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Annotated["ReviewConnection", strawberry.lazy("schema.reviews")]:
        from schema.reviews import gig_reviews

        return await gig_reviews(info.context, root, first=first, after=after)


# What each field computed from a gig row reads of it; a field that is an attribute reads its
# own column. A page of gigs reads only the columns its query's fields need (the home feed 3
# of 22: no description, no tags to decode), so a field reading a column not named here would
# find it missing: tests/catalog/test_gig_columns.py tries every field both ways. A field with
# a resolver and no entry here reads the whole row.
_READS = {
    "id": ("id",),
    "seller": ("owner_id",),
    "category": ("category_id",),
    "packages": ("id",),
    "images": ("id",),
    "price_from": ("min_price", "currency"),
    "price_to": ("max_price", "currency"),
    "budget": ("budget", "currency"),
    "rating": ("rating_sum", "rating_count"),
    "review_count": ("rating_count",),
    "order_count": ("order_count",),
    "view_count": ("view_count",),
    "is_favorite": ("id",),
}


def _columns_by_field() -> dict[str, frozenset[str] | None]:
    columns = set(m.Gig.__table__.c.keys())
    found: dict[str, frozenset[str] | None] = {}
    for field in get_object_definition(Gig, strict=True).fields:
        reads = _READS.get(field.python_name)
        if reads is None and field.base_resolver is None:
            reads = (field.python_name,)
        if reads is not None and not columns.issuperset(reads):
            raise AssertionError(f"Gig.{field.python_name} reads no such column: {reads}")
        name = field.graphql_name or to_camel_case(field.python_name)
        found[name] = None if reads is None else frozenset(reads)
    return found


_COLUMNS_BY_FIELD = _columns_by_field()


def gig_columns(fields: Iterable[str]) -> frozenset[str] | None:
    """The gig columns that the `fields` (GraphQL names) read; None when one reads it all."""
    needed: set[str] = set()
    for name in fields:
        if name == "__typename":
            continue
        reads = _COLUMNS_BY_FIELD.get(name)
        if reads is None:
            return None
        needed |= reads
    return frozenset(needed)


@strawberry.type(name="GigConnection")
class GigConnection(Connection[Gig]):
    pass


@strawberry.input
class PackageInputType:
    tier: PackageTier
    price: Decimal
    delivery_days: int
    revisions: int = 0
    title: str | None = None
    description: str | None = None


@strawberry.input(name="GigFilter")
class GigFilter:
    search: str | None = strawberry.field(
        default=None, description="Words to find in the title, tags and description."
    )
    kind: GigKind | None = None
    category: str | None = strawberry.field(
        default=None, description="A category slug; includes its subcategories."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Gigs with all of these tags."
    )
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    seller_id: strawberry.ID | None = None
    status: list[GigStatus] | None = strawberry.field(
        default=None, description="Default ACTIVE; other states list only your own gigs."
    )


@strawberry.input
class CreateGigInput:
    kind: GigKind
    title: str
    description: str
    category: str = strawberry.field(description="A category slug.")
    tags: list[str] | None = None
    packages: list[PackageInputType] | None = None
    budget: Decimal | None = None
    deadline: datetime | None = None
    slug: str | None = strawberry.field(
        default=None, description="Optional; made from the title when left out."
    )
    image_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="READY files uploaded for GIG_IMAGE, in display order."
    )


@strawberry.input
class UpdateGigInput:
    gig_id: strawberry.ID
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    packages: list[PackageInputType] | None = strawberry.UNSET
    budget: Decimal | None = strawberry.UNSET
    deadline: datetime | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    image_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the images; null or [] removes them."
    )


@strawberry.input
class GigIdInput:
    gig_id: strawberry.ID


@strawberry.type
class GigPayload:
    gig: Gig | None
    errors: list[UserError]

    @classmethod
    def of(cls, outcome: tuple[Any, list[UserError]]) -> Any:
        return cls(gig=outcome[0], errors=outcome[1])


def _payload(name: str) -> type[GigPayload]:
    return strawberry.type(type(name, (GigPayload,), {}), name=name)


CreateGigPayload = _payload("CreateGigPayload")
AddFavoritePayload = _payload("AddFavoritePayload")
RemoveFavoritePayload = _payload("RemoveFavoritePayload")
UpdateGigPayload = _payload("UpdateGigPayload")
PublishGigPayload = _payload("PublishGigPayload")
PauseGigPayload = _payload("PauseGigPayload")
ArchiveGigPayload = _payload("ArchiveGigPayload")


def _changes(data: Any) -> GigChanges:
    changes = GigChanges()
    for name in ("title", "description", "category", "tags", "budget", "deadline", "slug"):
        value = getattr(data, name)
        if value is not strawberry.UNSET and not (name == "slug" and value is None):
            setattr(changes, name, value)
    if data.packages is not strawberry.UNSET:
        changes.packages = (
            None
            if data.packages is None
            else [
                PackageInput(
                    tier=p.tier,
                    price=p.price,
                    delivery_days=p.delivery_days,
                    revisions=p.revisions,
                    title=p.title,
                    description=p.description,
                )
                for p in data.packages
            ]
        )
    if data.image_ids is not strawberry.UNSET and data.image_ids is not None:
        # An id that names no file becomes one that matches none: the use-case then reports it
        # as NOT_FOUND at its index, like any file that is not the viewer's to attach.
        changes.image_ids = [
            decoded[1] if (decoded := decode_id(image, expected="File")) else NO_FILE
            for image in data.image_ids
        ]
    elif data.image_ids is None:
        changes.image_ids = []
    return changes


@strawberry.type
class GigQueries:
    @strawberry.field(description="A gig by id or by slug; null when it is not visible.")
    async def gig(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID | None, strawberry.argument()] = None,
        slug: str | None = None,
    ) -> Gig | None:
        ctx = info.context
        if id is not None:
            decoded = decode_id(id, expected="Gig")
            if decoded is None:
                return None
            found = await gigs.visible_gig(ctx, gig_id=decoded[1])
        else:
            found = await gigs.visible_gig(ctx, slug=slug)
        if found is not None:
            catalog.count_view(ctx, found)
        return found

    @strawberry.field(description="Browse and search gigs.")
    async def gigs(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: GigFilter | None = None,
        sort: GigSort = GigSortModel.NEWEST,
    ) -> GigConnection:
        spec = GigFilterSpec()
        if filter is not None:
            spec = GigFilterSpec(
                search=filter.search,
                kind=filter.kind,
                category=filter.category,
                tags=filter.tags,
                min_price=filter.min_price,
                max_price=filter.max_price,
                seller_id=id_of(filter.seller_id, "User", field="filter.sellerId")
                if filter.seller_id is not None
                else None,
                status=filter.status,
            )
        paths = selected_paths(info)
        page = await search_gigs(
            info.context,
            filter=spec,
            sort=sort,
            first=first,
            after=after,
            columns=gig_columns(fields_at(paths, "edges.node")),
            saved="edges.node.isFavorite" in paths,
        )
        await prime_gig_page(info, page.rows, at="edges.node", paths=paths)
        return GigConnection(_page=page, _after=after)

    @strawberry.field(description="The category tree: top-level categories, then children.")
    async def categories(self, info: Info[Context, None]) -> list[Category]:
        return await catalog.categories(info.context)


@strawberry.type
class GigMutations:
    @strawberry.mutation(description="Create a gig as a DRAFT.")
    async def create_gig(
        self, info: Info[Context, None], input: CreateGigInput
    ) -> CreateGigPayload:
        ctx = info.context
        gig, errors = await attempt(
            ctx, gigs.create_gig(ctx, kind=input.kind, changes=_changes(input))
        )
        return CreateGigPayload(gig=gig, errors=errors)

    @strawberry.mutation(description="Edit your gig; omitted fields stay as they are.")
    async def update_gig(
        self, info: Info[Context, None], input: UpdateGigInput
    ) -> UpdateGigPayload:
        ctx = info.context
        gig, errors = await attempt(
            ctx,
            _with_gig_id(
                input.gig_id,
                lambda gig_id: gigs.update_gig(ctx, gig_id=gig_id, changes=_changes(input)),
            ),
        )
        return UpdateGigPayload(gig=gig, errors=errors)

    @strawberry.mutation(description="Make a draft or paused gig ACTIVE.")
    async def publish_gig(self, info: Info[Context, None], input: GigIdInput) -> PublishGigPayload:
        return PublishGigPayload.of(await _status(info.context, input.gig_id, m.GigStatus.ACTIVE))

    @strawberry.mutation(description="Take an ACTIVE gig off the market for a while.")
    async def pause_gig(self, info: Info[Context, None], input: GigIdInput) -> PauseGigPayload:
        return PauseGigPayload.of(await _status(info.context, input.gig_id, m.GigStatus.PAUSED))

    @strawberry.mutation(description="Retire a gig for good (its owner, or an admin).")
    async def archive_gig(self, info: Info[Context, None], input: GigIdInput) -> ArchiveGigPayload:
        return ArchiveGigPayload.of(await _status(info.context, input.gig_id, m.GigStatus.ARCHIVED))

    @strawberry.mutation(description="Save a gig to your favorites; saving twice is harmless.")
    async def add_favorite(
        self, info: Info[Context, None], input: GigIdInput
    ) -> AddFavoritePayload:
        ctx = info.context
        gig, errors = await attempt(
            ctx, _with_gig_id(input.gig_id, lambda key: catalog.add_favorite(ctx, gig_id=key))
        )
        return AddFavoritePayload(gig=gig, errors=errors)

    @strawberry.mutation(
        description="Remove a gig from your favorites; harmless if it is not there."
    )
    async def remove_favorite(
        self, info: Info[Context, None], input: GigIdInput
    ) -> RemoveFavoritePayload:
        ctx = info.context
        gig, errors = await attempt(
            ctx, _with_gig_id(input.gig_id, lambda key: catalog.remove_favorite(ctx, gig_id=key))
        )
        return RemoveFavoritePayload(gig=gig, errors=errors)


async def _status(ctx: Context, gig_id: str, status: m.GigStatus) -> tuple[Any, list[UserError]]:
    """(gig, errors) of a status change, in the order the payloads take them."""
    return await attempt(
        ctx, _with_gig_id(gig_id, lambda key: gigs.change_status(ctx, gig_id=key, status=status))
    )


async def _with_gig_id(gig_id: str, call: Any) -> Any:
    return await call(id_of(gig_id, "Gig", field="gigId"))


register_node(Gig, m.Gig, lambda ctx, key: gigs.visible_gig(ctx, gig_id=key))
