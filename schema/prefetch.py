"""What a client selected below a field, so a resolver can load it all before GraphQL descends."""

import operator
from collections import OrderedDict
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from strawberry.types import Info

from resolvers import catalog
from resolvers.context import Context

_PATHS_KEPT = 256
# Paths by the field's nodes in a parsed document, which the parser cache and the prepared
# documents hand out again for the same text: worked out once, not once per request.
_paths: OrderedDict[tuple[int, ...], tuple[list[FieldNode], frozenset[str]]] = OrderedDict()


def selected_paths(info: Info[Context, None]) -> frozenset[str]:
    """Dotted paths of every field selected below the current one, through fragments."""
    raw = info._raw_info
    nodes = raw.field_nodes
    key = tuple(map(id, nodes))
    entry = _paths.get(key)
    # The entry holds its nodes, so their ids are not reused while it is kept.
    if entry is not None and all(map(operator.is_, entry[0], nodes)):
        _paths.move_to_end(key)
        return entry[1]
    paths: set[str] = set()
    for node in nodes:
        _walk(node.selection_set, "", paths, raw.fragments)
    _paths[key] = (list(nodes), frozenset(paths))
    if len(_paths) > _PATHS_KEPT:
        _paths.popitem(last=False)
    return _paths[key][1]


def _walk(
    selections: SelectionSetNode | None, prefix: str, paths: set[str], fragments: dict[str, Any]
) -> None:
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            path = f"{prefix}{selection.name.value}"
            paths.add(path)
            _walk(selection.selection_set, f"{path}.", paths, fragments)
        elif isinstance(selection, InlineFragmentNode):
            _walk(selection.selection_set, prefix, paths, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _walk(fragment.selection_set, prefix, paths, fragments)


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
