"""Relay connections: `edges { cursor node }`, `pageInfo`, and `totalCount` only when asked."""

from typing import Generic, TypeVar

import strawberry
from strawberry.types import Info

from resolvers.context import Context
from resolvers.pagination import Page

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    _page: strawberry.Private[Page]

    @strawberry.field(description="Opaque; pass it as `after` to continue from here.")
    def cursor(self) -> str:
        return self._page.cursor(self.node)


@strawberry.type
class Connection(Generic[T]):
    _page: strawberry.Private[Page]
    _after: strawberry.Private[str | None]

    @strawberry.field
    def edges(self) -> list[Edge[T]]:
        page = self._page
        return [Edge(node=row, _page=page) for row in page.rows]

    @strawberry.field
    def page_info(self) -> PageInfo:
        page = self._page
        return PageInfo(
            has_next_page=page.has_next,
            has_previous_page=self._after is not None,
            start_cursor=page.cursor(page.rows[0]) if page.rows else None,
            end_cursor=page.end_cursor,
        )

    @strawberry.field(description="How many items the whole list holds; costs a count query.")
    async def total_count(self, info: Info[Context, None]) -> int:
        statement = self._page.count_statement
        return 0 if statement is None else await info.context.session.scalar(statement) or 0
