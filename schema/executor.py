"""A planned executor: each operation's selections are compiled once into closures, then run.

graphql-core completes every field through the same general path: a resolve info, strawberry's
argument conversion and extension chain, a type dispatch, an awaitable check at each level. In
the home feed that is about 360 fields and most of a request's CPU. Here an operation is planned
once (cached by its parsed document, which the parser cache hands out again for the same text)
into one closure per field that knows its resolver, its type and its sub-selections:

- a plain attribute is read with `getattr`, as strawberry's default resolver does;
- a resolver with no arguments and no field extensions is called directly, with an `Info`
  whose graphql-core half is built only if the resolver asks for more than the context;
- anything else (arguments, extensions, middleware) goes through the field's own `resolve`
  with a real resolve info, exactly as graphql-core calls it.

Completion follows graphql-core's rules and reuses its error handling: errors are located at
their path, a null in a non-null position propagates to the nearest nullable parent, and
awaitables are gathered per object and per list, with the rest settled if one fails.
Operations the plan does not cover (introspection, directives on selections, fragment
arguments, an abort signal) run on graphql-core's executor unchanged.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cached_property, partial
from inspect import Parameter
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetails, does_fragment_condition_match
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, gather_with_cancel, is_iterable
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info

# Ready results of one object's fields or one list's items; a coroutine stands for the rest.
Run = Callable[["PlannedExecutor", Any, Path | None], Any]
_PLANS_KEPT = 512
# Types whose values are never awaitable, known without a probe: the usual ones, then every
# type met that has no `__await__` (a generator is not cached: its code decides).
_PLAIN = {str, int, float, bool, type(None), list, tuple, dict, Decimal}


# A response path, as Path(prev, key, typename) makes it, without its Python-level __new__.
_path = partial(tuple.__new__, Path)


def _awaitable(value: Any) -> bool:
    """graphql-core's awaitable probe, cached per type; call as
    `type(value) not in _PLAIN and _awaitable(value)` so a known type costs one lookup."""
    if optimized_is_awaitable(value):
        return True
    kind = type(value)
    if kind is not GeneratorType and not hasattr(kind, "__await__"):
        _PLAIN.add(kind)
    return False


# A str for a String or ID, a bool for a Boolean, is already its own output value.
_NATIVE = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


class Unplannable(Exception):
    """The operation uses something the plan does not cover; graphql-core runs it."""


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, running planned operations without per-field machinery."""

    # (schema, operation) -> plan; tests build several schemas, the parser cache is shared.
    _plans: OrderedDict[tuple[int, int], tuple[Any, Any, Any]] = OrderedDict()

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = self._plan() if self._plannable() else None
        if plan is None:
            return super().execute_operation(serially)
        mutation = self.operation.operation == OperationType.MUTATION
        serial = mutation if serially is None else serially
        try:
            data = (plan.run_serially if serial else plan.run)(self, self.root_value, None)
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.finish(self.build_response(None))
        if type(data) is CoroutineType:
            return self._await_response(data)
        return self.finish(self.build_response(data))

    async def _await_response(self, data: Any) -> Any:
        try:
            completed = await data
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.finish(self.build_response(None))
        return self.finish(self.build_response(completed))

    def _plannable(self) -> bool:
        manager = self.middleware_manager
        return self.abort_signal is None and not (manager is not None and manager.middlewares)

    def _plan(self) -> _ObjectPlan | None:
        """The operation's plan, made on first use; None when it cannot be planned."""
        key = (id(self.schema), id(self.operation))
        entry = self._plans.get(key)
        if entry is not None and entry[0] is self.schema and entry[1] is self.operation:
            self._plans.move_to_end(key)
            return entry[2]
        root_type = self.schema.get_root_type(self.operation.operation)
        plan = None
        if root_type is not None:
            try:
                plan = _Planner(self.schema, self.fragment_definitions).object_plan(
                    root_type, [self.operation.selection_set]
                )
            except Unplannable:
                plan = None
        self._plans[key] = (self.schema, self.operation, plan)
        if len(self._plans) > _PLANS_KEPT:
            self._plans.popitem(last=False)
        return plan

    def field_error(self, error: Exception, field: _FieldPlan, type_: Any, path: Path) -> None:
        """graphql-core's handling: raise for a non-null position, else record and null."""
        self.handle_field_error(error, type_, field.details, path)


def ignores_info(check: Callable[..., bool]) -> Callable[..., bool]:
    """Mark an `is_type_of` that never reads its info: a plan then calls it without one."""
    check.ignores_info = True  # type: ignore[attr-defined]
    return check


class _LazyInfo(Info):
    """strawberry's `Info` for a directly called resolver: the context at once, the rest
    (selections, path, variables) from a graphql-core resolve info built when first asked."""

    def __init__(self, executor: PlannedExecutor, field: _FieldPlan, parent: Path | None) -> None:
        self._executor = executor
        self._plan = field
        self._parent = parent

    @property
    def context(self) -> Any:
        return self._executor.context_value

    @property
    def _field(self) -> Any:  # type: ignore[override]
        return self._plan.strawberry_field

    @cached_property
    def _raw_info(self) -> Any:  # type: ignore[override]
        return self._plan.resolve_info(self._executor, self._plan.path(self._parent))


class _FieldPlan:
    """One response key of an object: how to resolve it and complete what it returns."""

    __slots__ = (
        "attribute",
        "complete",
        "details",
        "field_def",
        "key",
        "nodes",
        "parent_type",
        "resolve",
        "return_type",
        "run",
        "strawberry_field",
        "typename",
    )

    def __init__(
        self, key: str, parent_type: GraphQLObjectType, field_def: GraphQLField, nodes: list
    ) -> None:
        self.key = key
        self.parent_type = parent_type
        self.typename = parent_type.name
        self.field_def = field_def
        self.nodes = nodes
        self.details = [FieldDetails(node, None) for node in nodes]
        self.return_type = field_def.type
        self.strawberry_field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        # Resolvers take the parent's path: most fields never need their own.
        self.resolve: Callable[[PlannedExecutor, Any, Path | None], Any] = self._generic
        self.complete: Run = _complete_nothing
        self.run: Run = self._run_leaf if _is_leaf(self.return_type) else self._run_tree
        self.attribute = ""

    def read_attribute(self, name: str) -> None:
        """Resolve by reading `name` off the source, as strawberry's default resolver does."""
        self.attribute = name
        self.resolve = lambda _executor, source, _parent: getattr(source, name)
        if self.run == self._run_leaf:
            self.run = self._run_attribute_leaf

    def path(self, parent: Path | None) -> Path:
        return _path((parent, self.key, self.typename))

    def resolve_info(self, executor: PlannedExecutor, path: Path) -> Any:
        return executor.build_resolve_info(self.field_def, self.nodes, self.parent_type, path)

    def _generic(self, executor: PlannedExecutor, source: Any, parent: Path | None) -> Any:
        """The field's own resolver with a real resolve info, as graphql-core calls it."""
        field_def, node = self.field_def, self.nodes[0]
        info = self.resolve_info(executor, self.path(parent))
        args = (
            get_argument_values(
                field_def, node, executor.variable_values, None, executor.hide_suggestions
            )
            if field_def.args or node.arguments
            else {}
        )
        return (field_def.resolve or executor.field_resolver)(source, info, **args)

    def _run_leaf(self, executor: PlannedExecutor, source: Any, parent: Path | None) -> Any:
        """A scalar or enum: its path is made only if it fails."""
        try:
            result = self.resolve(executor, source, parent)
            if type(result) not in _PLAIN and _awaitable(result):
                return self._complete_later(executor, result, self.path(parent))
            return self.complete(executor, result, None)
        except Exception as error:  # a field's failure nulls that field
            executor.field_error(error, self, self.return_type, self.path(parent))
            return None

    def _run_attribute_leaf(
        self, executor: PlannedExecutor, source: Any, parent: Path | None
    ) -> Any:
        """`_run_leaf` with the attribute read inline: most fields of most types."""
        try:
            result = getattr(source, self.attribute)
            if type(result) not in _PLAIN and _awaitable(result):
                return self._complete_later(executor, result, self.path(parent))
            return self.complete(executor, result, None)
        except Exception as error:
            executor.field_error(error, self, self.return_type, self.path(parent))
            return None

    def _run_tree(self, executor: PlannedExecutor, source: Any, parent: Path | None) -> Any:
        path = self.path(parent)
        try:
            result = self.resolve(executor, source, parent)
            if type(result) not in _PLAIN and _awaitable(result):
                return self._complete_later(executor, result, path)
            completed = self.complete(executor, result, path)
        except Exception as error:
            executor.field_error(error, self, self.return_type, path)
            return None
        if type(completed) is CoroutineType:
            return self._settle(executor, completed, path)
        return completed

    async def _complete_later(self, executor: PlannedExecutor, result: Any, path: Path) -> Any:
        try:
            completed = self.complete(executor, await result, path)
            if type(completed) is CoroutineType:
                completed = await completed
        except Exception as error:
            executor.field_error(error, self, self.return_type, path)
            return None
        return completed

    async def _settle(self, executor: PlannedExecutor, completed: Any, path: Path) -> Any:
        try:
            return await completed
        except Exception as error:
            executor.field_error(error, self, self.return_type, path)
            return None


def _is_leaf(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return is_leaf_type(type_)


def _read_object(
    executor: PlannedExecutor, value: Any, attributes: tuple[tuple[str, str, Run | None], ...]
) -> dict[str, Any]:
    """An object of attribute leaves in one pass; raises on anything but plain values."""
    results: dict[str, Any] = {}
    for key, name, complete_leaf in attributes:
        if complete_leaf is None:  # __typename
            results[key] = name
            continue
        read = getattr(value, name)
        if type(read) not in _PLAIN and _awaitable(read):
            raise _NotPlain
        results[key] = complete_leaf(executor, read, None)
    return results


class _NotPlain(Exception):
    """An attribute leaf read an awaitable: the object runs field by field instead."""


class _TypenamePlan:
    """`__typename`: the object type's name, known when planned."""

    __slots__ = ("key", "name")

    def __init__(self, key: str, type_: GraphQLObjectType) -> None:
        self.key = key
        self.name = type_.name

    def run(self, _executor: PlannedExecutor, _source: Any, _parent: Path | None) -> str:
        return self.name


class _ObjectPlan:
    """The fields selected on one object type, run concurrently or one after another."""

    __slots__ = ("fields", "type_")

    def __init__(self, type_: GraphQLObjectType, fields: list[_FieldPlan | _TypenamePlan]) -> None:
        self.type_ = type_
        self.fields = fields

    def attributes(self) -> tuple[tuple[str, str, Run | None], ...] | None:
        """When every field reads an attribute into a scalar (or is `__typename`), what an
        object is made of: read in one pass, and run field by field only if a read or a
        coercion fails, so that the failure is reported where it happened."""
        parts: list[tuple[str, str, Run | None]] = []
        for field in self.fields:
            if isinstance(field, _TypenamePlan):
                parts.append((field.key, field.name, None))
            elif field.run == field._run_attribute_leaf:
                parts.append((field.key, field.attribute, field.complete))
            else:
                return None
        return tuple(parts)

    def run(self, executor: PlannedExecutor, source: Any, path: Path | None) -> Any:
        results: dict[str, Any] = {}
        waiting: list[str] = []
        try:
            for field in self.fields:
                value = results[field.key] = field.run(executor, source, path)
                if type(value) is CoroutineType:
                    waiting.append(field.key)
        except Exception:
            if waiting:
                executor.settle_in_background([results[key] for key in waiting])
            raise
        if waiting:
            return _gather_into(results, waiting)
        return results

    async def run_serially(self, executor: PlannedExecutor, source: Any, path: Path | None) -> Any:
        results: dict[str, Any] = {}
        for field in self.fields:
            value = field.run(executor, source, path)
            results[field.key] = await value if type(value) is CoroutineType else value
        return results


async def _gather_into(results: Any, keys: list[Any]) -> Any:
    if len(keys) == 1:
        results[keys[0]] = await results[keys[0]]
    else:
        for key, value in zip(
            keys, await gather_with_cancel(*(results[k] for k in keys)), strict=True
        ):
            results[key] = value
    return results


def _complete_nothing(_executor: PlannedExecutor, value: Any, _path: Path | None) -> Any:
    return value


class _Planner:
    """Compiles selection sets against the schema; raises `Unplannable` where it must."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments

    def object_plan(
        self, type_: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> _ObjectPlan:
        grouped: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect(type_, selection_set, grouped, set())
        fields: list[_FieldPlan | _TypenamePlan] = []
        for key, nodes in grouped.items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append(_TypenamePlan(key, type_))
                continue
            if name.startswith("__"):
                raise Unplannable(name)  # introspection stays with graphql-core
            field_def = type_.fields.get(name)
            if field_def is not None:  # graphql-core leaves unknown fields out too
                fields.append(self._field_plan(key, type_, field_def, nodes))
        return _ObjectPlan(type_, fields)

    def _collect(
        self,
        type_: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise Unplannable("directives")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if does_fragment_condition_match(self.schema, selection, type_):
                    self._collect(type_, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if getattr(selection, "arguments", None):
                    raise Unplannable("fragment arguments")
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if does_fragment_condition_match(self.schema, fragment, type_):
                    self._collect(type_, fragment.selection_set, grouped, visited)

    def _field_plan(
        self, key: str, parent: GraphQLObjectType, field_def: GraphQLField, nodes: list
    ) -> _FieldPlan:
        field = _FieldPlan(key, parent, field_def, nodes)
        if (attribute := _attribute_of(field)) is not None:
            field.read_attribute(attribute)
        elif (direct := _direct_resolver(field)) is not None:
            field.resolve = direct
        subselections = [node.selection_set for node in nodes if node.selection_set]
        field.complete = self._completer(field, field.return_type, subselections)
        return field

    def _completer(self, field: _FieldPlan, type_: GraphQLOutputType, subs: list) -> Run:
        if isinstance(type_, GraphQLNonNull):
            inner = type_.of_type
            # A leaf or an object is null only when its value is: checked in one step.
            if is_leaf_type(inner):
                return _leaf(inner, _null_message(field))
            if isinstance(inner, GraphQLObjectType):
                plan = self.object_plan(inner, subs)
                return _object(field, inner, plan, _null_message(field))
            return _non_null(field, self._completer(field, inner, subs))
        if isinstance(type_, GraphQLList):
            return _list_of(field, type_.of_type, self._completer(field, type_.of_type, subs))
        if is_leaf_type(type_):
            return _leaf(type_)
        if is_abstract_type(type_):
            return _abstract(self, field, type_, subs)
        return _object(field, type_, self.object_plan(type_, subs))


def _plain(field: _FieldPlan) -> Any:
    """The strawberry field, if nothing stands between it and its resolver: no extensions
    (permissions are one), no arguments to convert, not a subscription's event."""
    definition = field.strawberry_field
    if (
        definition is None
        or definition.extensions
        or definition.is_subscription
        or field.field_def.args
        or field.field_def.subscribe is not None
    ):
        return None
    return definition


def _attribute_of(field: _FieldPlan) -> str | None:
    """The attribute a field without a resolver reads, as strawberry's default one does."""
    definition = _plain(field)
    if definition is None or definition.base_resolver is not None:
        return None
    return (
        definition.python_name if getattr(field.field_def.resolve, "_is_default", False) else None
    )


def _direct_resolver(
    field: _FieldPlan,
) -> Callable[[PlannedExecutor, Any, Path | None], Any] | None:
    """A call that does what strawberry's resolver wrapper would, without the wrapper."""
    definition = _plain(field)
    if definition is None or definition.base_resolver is None:
        return None
    resolver = definition.base_resolver
    reserved = {
        resolver.self_parameter: "source",
        resolver.root_parameter: "source",
        resolver.parent_parameter: "source",
        resolver.info_parameter: "info",
    }
    parameters = list(resolver.signature.parameters.values())
    if any(p not in reserved or p.kind is not Parameter.POSITIONAL_OR_KEYWORD for p in parameters):
        return None
    roles = tuple(reserved[p] for p in parameters)
    call = resolver.wrapped_func
    if roles == ("source",):
        return lambda _executor, source, _parent: call(source)
    if roles == ("source", "info"):
        return lambda executor, source, parent: call(source, _LazyInfo(executor, field, parent))
    if roles == ("info",):
        return lambda executor, _source, parent: call(_LazyInfo(executor, field, parent))
    if roles == ():
        return lambda _executor, _source, _parent: call()
    return None


def _null_message(field: _FieldPlan) -> str:
    name = f"{field.parent_type}.{field.nodes[0].name.value}"
    return f"Cannot return null for non-nullable field {name}."


def _non_null(field: _FieldPlan, inner: Run) -> Run:
    message = _null_message(field)

    async def later(completed: Any) -> Any:
        value = await completed
        if value is None:
            raise TypeError(message)
        return value

    def complete(executor: PlannedExecutor, value: Any, path: Path | None) -> Any:
        completed = inner(executor, value, path)
        if completed is None:
            raise TypeError(message)
        if type(completed) is CoroutineType:
            return later(completed)
        return completed

    return complete


def _leaf(type_: Any, null_message: str | None = None) -> Run:
    """Coerce a scalar or enum; with `null_message`, a null is an error."""
    coerce = PlannedExecutor.complete_leaf_value
    native = _NATIVE.get(type_)

    def complete(_executor: PlannedExecutor, value: Any, _path: Path | None) -> Any:
        if value is None:
            if null_message is not None:
                raise TypeError(null_message)
            return None
        return value if type(value) is native else coerce(type_, value)

    return complete


def _list_of(field: _FieldPlan, item_type: Any, inner: Run) -> Run:
    message = (
        "Expected Iterable, but did not find one for field"
        f" '{field.parent_type}.{field.nodes[0].name.value}'."
    )

    async def settle_item(executor: PlannedExecutor, item: Any, path: Path) -> Any:
        try:
            completed = inner(executor, await item, path)
            if type(completed) is CoroutineType:
                completed = await completed
        except Exception as error:  # an item's failure nulls that item
            executor.field_error(error, field, item_type, path)
            return None
        return completed

    async def settle_completion(executor: PlannedExecutor, completed: Any, path: Path) -> Any:
        try:
            return await completed
        except Exception as error:
            executor.field_error(error, field, item_type, path)
            return None

    def complete(executor: PlannedExecutor, value: Any, path: Path | None) -> Any:
        if value is None:
            return None
        if type(value) is not list and not is_iterable(value):  # a list needs no ABC check
            raise GraphQLError(message)
        results: list[Any] = []
        waiting: list[int] = []
        try:
            for index, item in enumerate(value):
                item_path = _path((path, index, None))
                try:
                    if type(item) not in _PLAIN and _awaitable(item):
                        completed = settle_item(executor, item, item_path)
                    else:
                        completed = inner(executor, item, item_path)
                        if type(completed) is CoroutineType:
                            completed = settle_completion(executor, completed, item_path)
                except Exception as error:
                    executor.field_error(error, field, item_type, item_path)
                    completed = None
                if type(completed) is CoroutineType:
                    waiting.append(index)
                results.append(completed)
        except Exception:
            if waiting:
                executor.settle_in_background([results[index] for index in waiting])
            raise
        if waiting:
            return _gather_into(results, waiting)
        return results

    return complete


def _object(
    field: _FieldPlan,
    type_: GraphQLObjectType,
    plan: _ObjectPlan,
    null_message: str | None = None,
) -> Run:
    """Run the selections on an object; with `null_message`, a null is an error."""
    is_type_of = type_.is_type_of
    # strawberry's own check (an isinstance, or a cast) never looks at the info.
    plain_check = is_type_of is not None and (
        getattr(is_type_of, "ignores_info", False)
        or is_type_of.__qualname__.endswith("_get_is_type_of.<locals>.is_type_of")
    )

    attributes = plan.attributes()

    def complete(executor: PlannedExecutor, value: Any, path: Path | None) -> Any:
        if value is None:
            if null_message is not None:
                raise TypeError(null_message)
            return None
        if is_type_of is not None:
            info = None if plain_check else field.resolve_info(executor, path)
            matches = is_type_of(value, info)
            if type(matches) not in _PLAIN and _awaitable(matches):
                return _check_then_run(executor, plan, field, matches, value, path)
            if not matches:
                raise invalid_return_type_error(type_, value, field.details)
        if attributes is not None:
            try:
                return _read_object(executor, value, attributes)
            except Exception:  # noqa: S110 -- the field by field run below reports it
                pass
        return plan.run(executor, value, path)

    return complete


async def _check_then_run(
    executor: PlannedExecutor,
    plan: _ObjectPlan,
    field: _FieldPlan,
    matches: Any,
    value: Any,
    path: Any,
) -> Any:
    if not await matches:
        raise invalid_return_type_error(plan.type_, value, field.details)
    result = plan.run(executor, value, path)
    return await result if type(result) is CoroutineType else result


def _abstract(planner: _Planner, field: _FieldPlan, type_: Any, subs: list) -> Run:
    """Resolve the runtime type as graphql-core does; plan each object type when first met."""
    by_type: dict[str, Run] = {}

    def for_type(executor: PlannedExecutor, name: Any, value: Any, path: Path | None) -> Any:
        info = field.resolve_info(executor, path)
        runtime = executor.ensure_valid_runtime_type(name, type_, field.details, info, value)
        complete = by_type.get(runtime.name)
        if complete is None:
            complete = by_type[runtime.name] = _object(
                field, runtime, planner.object_plan(runtime, subs)
            )
        return complete(executor, value, path)

    async def later(executor: PlannedExecutor, name: Any, value: Any, path: Path | None) -> Any:
        result = for_type(executor, await name, value, path)
        return await result if type(result) is CoroutineType else result

    def complete(executor: PlannedExecutor, value: Any, path: Path | None) -> Any:
        if value is None:
            return None
        resolve_type = type_.resolve_type or executor.type_resolver
        name = resolve_type(value, field.resolve_info(executor, path), type_)
        if type(name) not in _PLAIN and _awaitable(name):
            return later(executor, name, value, path)
        return for_type(executor, name, value, path)

    return complete
