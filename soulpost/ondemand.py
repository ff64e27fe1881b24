"""Field helpers that spare every process work at start-up, when the models are made.

pydantic builds a model's core schema and validator when its class is made, and with it
the schema of every model its fields name, whether or not a run ever validates one. For a
field that most inputs leave out (a config's ``[alerts]`` section), that is work every
process pays for nothing: see :class:`WhenGiven`. And it asks each default factory for its
signature; a model class's is generated from its fields: see :func:`factory_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic_core import core_schema

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue

_M = TypeVar("_M")


def factory_of(model: Callable[[], _M]) -> Callable[[], _M]:
    """A default factory that makes *model* with no arguments, as ``default_factory=model``.

    pydantic asks every default factory whether it takes the validated data, through its
    signature; a model class has none until pydantic generates it from the model's fields
    (about 2 M instructions for the settings' sections), a plain function's is read.
    """

    def make() -> _M:
        return model()

    return make


class WhenGiven:
    """``Annotated`` metadata: the field's type is validated by a ``TypeAdapter`` made the
    first time a value is given, so the models in it are not built with the model that
    holds the field (put ``defer_build`` on them too).

    Usage: ``alerts: Annotated[AlertSettings | None, WhenGiven()] = None``: the type is the
    one the annotation names, handed over when the holding model is built.
    A missing key takes the field's default unchecked, as pydantic does, and never builds
    anything. A given value is validated against that same type by pydantic, so values,
    errors and their locations are those of the type in place: pydantic nests a
    ValidationError raised by a validator under the field's location. The JSON schema is
    the type's too, made when asked for. What it costs: one Python call per given value.
    """

    def __init__(self) -> None:
        self.kind: Any = None
        self._adapter: Any = None

    def adapter(self) -> Any:
        if self._adapter is None:
            from pydantic import TypeAdapter

            self._adapter = TypeAdapter(self.kind)
        return self._adapter

    def validate(self, value: Any) -> Any:
        return self.adapter().validate_python(value)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        self.kind = source  # the annotated type; its adapter is made on first use
        return core_schema.no_info_plain_validator_function(self.validate)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(self.adapter().core_schema)
