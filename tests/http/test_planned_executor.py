"""The planned executor answers exactly as graphql-core's would: data, errors, their paths."""

import asyncio
from typing import Any

import pytest
import strawberry
from graphql.execution.executor import Executor
from strawberry.extensions import ParserCache
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from schema import executor as executor_module
from schema.executor import PlannedExecutor
from tests.catalog.test_feed import FEED, add_gigs, make_sellers
from tests.factories import make_category, make_user, token_for


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tag(Named):
    pass


@strawberry.type
class Person(Named):
    age: int | None

    @strawberry.field
    def greeting(self) -> str:
        return f"Hello, {self.name}"

    @strawberry.field
    @staticmethod
    def shout(root: "Person", info: Info) -> str:
        return f"{root.name.upper()} at {'/'.join(map(str, info.path.as_list()))}"

    @strawberry.field
    def selected(self, info: Info) -> list[str]:
        return [field.name for field in info.selected_fields]

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return self.name[::-1]

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError(f"{self.name} is broken")

    @strawberry.field
    def required_broken(self) -> str:
        raise ValueError(f"{self.name} has nothing")

    @strawberry.field
    def required_null(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field
    async def async_broken(self) -> int:
        await asyncio.sleep(0)
        raise LookupError("gone")

    @strawberry.field
    def friends(self, first: int = 2) -> list["Person"]:
        return [Person(name=f"{self.name}-{n}", age=n) for n in range(first)]

    @strawberry.field
    def strict_friends(self) -> list["Person"] | None:
        return [Person(name="ok", age=1), Person(name="", age=None)]

    @strawberry.field
    async def awaited_items(self) -> list[str | None]:
        async def item(n: int) -> str:
            await asyncio.sleep(0)
            if n == 1:
                raise RuntimeError("item 1 failed")
            return str(n)

        loop = asyncio.get_running_loop()
        return [loop.create_task(item(n)) for n in range(3)]  # type: ignore[misc]


def _empty_name_is_an_error(root: Person) -> str:
    if not root.name:
        raise ValueError("no name")
    return root.name


@strawberry.type
class Strict:
    @strawberry.field
    @staticmethod
    def name(root: Person) -> str:
        return _empty_name_is_an_error(root)


@strawberry.type
class Plain:
    name: str
    count: int
    ratio: float | None


async def _later(value: str) -> str:
    await asyncio.sleep(0)
    return value


@strawberry.type
class Query:
    @strawberry.field
    def plains(self) -> list[Plain]:
        return [
            Plain(name="fine", count=1, ratio=0.5),
            Plain(name="bad count", count="many", ratio=None),  # type: ignore[arg-type]
        ]

    @strawberry.field
    def awaited_plains(self) -> list[Plain | None]:
        return [
            Plain(name=_later("awaited name"), count=3, ratio=None),  # type: ignore[arg-type]
            Plain(name="infinite", count=4, ratio=float("inf")),
        ]

    @strawberry.field
    def person(self) -> Person:
        return Person(name="ada", age=36)

    @strawberry.field
    def maybe(self) -> Person | None:
        return Person(name="bob", age=None)

    @strawberry.field
    def things(self) -> list[Named]:
        return [Tag(name="t"), Person(name="p", age=1)]

    @strawberry.field
    def union(self) -> list[Tag | Person]:
        return [Person(name="u", age=2), Tag(name="v")]

    @strawberry.field
    async def slow(self) -> Person:
        await asyncio.sleep(0)
        return Person(name="slow", age=9)

    @strawberry.field
    def strict(self) -> list[Strict]:
        return [Person(name="x", age=1), Person(name="", age=2)]  # type: ignore[list-item]


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def first(self, info: Info) -> int:
        info.context["order"].append("first")
        await asyncio.sleep(0.01)
        return len(info.context["order"])

    @strawberry.mutation
    def second(self, info: Info) -> int:
        info.context["order"].append("second")
        return len(info.context["order"])


def schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    return (
        strawberry.Schema(query=Query, mutation=Mutation, execution_context_class=PlannedExecutor),
        strawberry.Schema(
            query=Query,
            mutation=Mutation,
            execution_context_class=StrawberryGraphQLCoreExecutionContext,
        ),
    )


def outcome(result: Any) -> tuple[Any, Any]:
    errors = sorted(
        (error.message, tuple(error.path or ()), error.locations and len(error.locations))
        for error in result.errors or ()
    )
    return result.data, errors


DOCUMENTS = {
    "fields, aliases and typename": "{ person { __typename name years: age greeting } }",
    "a resolver taking root and info": "{ person { shout friends { shout } } }",
    "selected fields through info": "{ person { selected friends { name age } } }",
    "fragments": """
        query { person { ...P friends(first: 3) { ...P } } }
        fragment P on Person { name ... on Person { age } }
    """,
    "an async field": "{ person { later } slow { name later } }",
    "a nullable field that raises": "{ person { name broken } }",
    "a non-null field that raises nulls its parent": "{ maybe { name requiredBroken } }",
    "a non-null null reaches the root": "{ person { requiredNull } }",
    "an async non-null error": "{ maybe { asyncBroken } }",
    "an interface": "{ things { __typename name ... on Person { age } } }",
    "a union": "{ union { __typename ... on Tag { name } ... on Person { name greeting } } }",
    "a failing item nulls its nullable list": "{ person { strictFriends { requiredBroken } } }",
    "a failing item of a non-null list nulls the root": "{ strict { name } }",
    "awaitable list items": "{ person { awaitedItems } }",
    "arguments": "{ person { friends(first: 1) { name } } }",
    "objects of attributes, one failing": "{ plains { __typename name count ratio } }",
    "objects of attributes, one awaited": "{ awaitedPlains { name count ratio } }",
    "directives fall back to graphql-core": "{ person { name @include(if: false) age } }",
    "introspection falls back to graphql-core": "{ __schema { queryType { name } } }",
}


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
async def test_a_planned_operation_answers_as_graphql_core_does(document):
    planned, reference = schemas()

    mine = await planned.execute(document)
    theirs = await reference.execute(document)

    assert outcome(mine) == outcome(theirs)
    assert mine.data is not None or mine.errors
    assert "Cannot query field" not in str(mine.errors)


async def test_mutation_fields_run_one_after_another():
    planned, _ = schemas()
    context: dict[str, Any] = {"order": []}

    result = await planned.execute("mutation { first second }", context_value=context)

    assert result.errors is None
    assert result.data == {"first": 1, "second": 2}
    assert context["order"] == ["first", "second"]


async def test_a_repeated_document_is_planned_once(monkeypatch):
    # The plan is kept for the parsed document, which the parser cache hands out again.
    planned = strawberry.Schema(
        query=Query,
        execution_context_class=PlannedExecutor,
        extensions=[lambda: ParserCache(maxsize=8)],
    )
    document = "{ person { name friends { name } } }"
    first = await planned.execute(document)
    monkeypatch.setattr(
        executor_module._Planner, "object_plan", lambda *_: pytest.fail("planned again")
    )
    monkeypatch.setattr(
        Executor, "execute_field", lambda *_: pytest.fail("graphql-core executed a field")
    )

    again = await planned.execute(document)

    assert again.errors is None
    assert (
        again.data
        == first.data
        == {"person": {"name": "ada", "friends": [{"name": "ada-0"}, {"name": "ada-1"}]}}
    )


async def test_the_feed_runs_on_the_plan_and_matches_graphql_core(gql, services, monkeypatch):
    token = token_for(services, await make_user(services))
    await add_gigs(services, await make_sellers(services), await make_category(services), 8)
    executed: list[Any] = []
    original = Executor.execute_field

    def spying(self: Executor, *args: Any) -> Any:
        executed.append(args)
        return original(self, *args)

    monkeypatch.setattr(Executor, "execute_field", spying)
    planned = await gql(FEED, token=token)
    assert executed == []  # not one field went through graphql-core's executor

    monkeypatch.setattr(PlannedExecutor, "_plannable", lambda _self: False)
    reference = await gql(FEED, token=token)

    assert executed  # the reference run did use graphql-core
    assert "errors" not in planned
    assert len(planned["data"]["gigs"]["edges"]) == 8
    assert planned == reference
