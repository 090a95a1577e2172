"""What a client selected below a field, so a resolver can load it all before GraphQL descends."""

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from resolvers import catalog
from resolvers.context import Context


def selected_paths(info: Info[Context, None]) -> frozenset[str]:
    """Dotted paths of every field selected below the current one, through fragments."""
    paths: set[str] = set()
    for field in info.selected_fields:
        _walk(field.selections, "", paths)
    return frozenset(paths)


def _walk(selections: Iterable[Any], prefix: str, paths: set[str]) -> None:
    for selection in selections:
        if isinstance(selection, SelectedField):
            path = f"{prefix}{selection.name}"
            paths.add(path)
            _walk(selection.selections, f"{path}.", paths)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            _walk(selection.selections, prefix, paths)


def fields_at(paths: frozenset[str], at: str) -> set[str]:
    """The names of the fields selected directly under `at` (say "edges.node")."""
    node = f"{at}."
    below = (path.removeprefix(node) for path in paths if path.startswith(node))
    return {name for name in below if "." not in name}


async def prime_gig_page(
    info: Info[Context, None], gigs: list[Any], *, at: str, paths: frozenset[str]
) -> None:
    """Prime what the selection under `at` (say "edges.node") shows of these gigs, `paths`
    being `selected_paths(info)`."""
    node = f"{at}."
    await catalog.prime_gigs(
        info.context,
        gigs,
        sellers=f"{node}seller" in paths,
        seller_skills=f"{node}seller.skills" in paths,
        seller_badges=f"{node}seller.badges" in paths,
        packages=f"{node}packages" in paths,
        favorites=f"{node}isFavorite" in paths,
        categories=f"{node}category" in paths,
    )
