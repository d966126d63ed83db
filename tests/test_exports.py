"""The public names of dimsekit: each exists, each is exported once, nothing is missing."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import sys
import textwrap
import types
import typing

import pytest

import dimsekit as dk

CLASS_NAMES = [
    "CEchoRequest", "CEchoResponse", "CStoreRequest", "CStoreResponse", "CFindRequest",
    "CFindResponse", "CGetRequest", "CGetResponse", "CMoveRequest", "CMoveResponse",
    "CCancelRequest", "NEventReportRequest", "NEventReportResponse", "NGetRequest",
    "NGetResponse", "NSetRequest", "NSetResponse", "NActionRequest", "NActionResponse",
    "NCreateRequest", "NCreateResponse", "NDeleteRequest", "NDeleteResponse",
]  # fmt: skip


@pytest.mark.parametrize("name", dk.__all__)
def test_every_name_in_all_exists(name: str) -> None:
    assert hasattr(dk, name)
    namespace: dict[str, object] = {}
    exec(f"from dimsekit import {name}", namespace)  # what a user writes
    assert namespace[name] is getattr(dk, name)


def test_all_has_no_duplicates() -> None:
    assert len(dk.__all__) == len(set(dk.__all__))
    assert all(isinstance(name, str) and not name.startswith("_") for name in dk.__all__)


def test_the_codec_and_framing_entry_points_are_exported() -> None:
    assert {"encode_command", "decode_command", "fragment_message", "MessageAssembler"} <= set(
        dk.__all__
    )


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from dimsekit import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(dk.__all__)


def test_each_public_object_is_exported_once() -> None:
    # no two names for one object: there are no deliberate aliases
    by_identity: dict[int, list[str]] = {}
    for name in dk.__all__:
        by_identity.setdefault(id(getattr(dk, name)), []).append(name)
    aliases = [names for names in by_identity.values() if len(names) > 1]
    assert aliases == []


@pytest.mark.parametrize("name", dk.__all__)
def test_classes_and_functions_are_exported_under_their_own_name(name: str) -> None:
    obj = getattr(dk, name)
    if isinstance(obj, type | types.FunctionType):
        assert obj.__name__ == name


def test_nothing_public_is_left_out_of_all() -> None:
    public = {
        name
        for name, obj in vars(dk).items()
        if not name.startswith("_") and not isinstance(obj, types.ModuleType)
    }
    assert public == set(dk.__all__)


def test_the_23_message_classes_are_exported() -> None:
    assert len(CLASS_NAMES) == len(set(CLASS_NAMES)) == 23
    assert set(CLASS_NAMES) <= set(dk.__all__)
    assert len(dk.MESSAGE_CLASSES) == 23
    assert {cls.__name__ for cls in dk.MESSAGE_CLASSES.values()} == set(CLASS_NAMES)
    for cls in dk.MESSAGE_CLASSES.values():
        assert cls.__name__ in dk.__all__
        assert getattr(dk, cls.__name__) is cls
        assert issubclass(cls, dk.Message)


def test_message_classes_are_keyed_by_their_command_field() -> None:
    assert set(dk.MESSAGE_CLASSES) == set(dk.CommandField)
    for field, cls in dk.MESSAGE_CLASSES.items():
        assert cls.command_field is field
        assert issubclass(cls, dk.Response) == field.is_response
        assert issubclass(cls, dk.Request) == (
            not field.is_response and cls is not dk.CCancelRequest
        )


@pytest.mark.parametrize(
    "module",
    [
        "c_echo", "c_store", "c_find", "c_get", "c_move", "c_cancel", "n_event_report",
        "n_get", "n_set", "n_action", "n_create", "n_delete",
    ],
)  # fmt: skip
def test_one_module_per_service(module: str) -> None:
    loaded = importlib.import_module(f"dimsekit.messages.{module}")
    own = [getattr(loaded, name) for name in loaded.__all__ if name in CLASS_NAMES]
    services = {cls.command_field.service for cls in own}
    assert services == {module.upper().replace("_", "-")}
    for cls in own:
        assert cls.__module__ == loaded.__name__
        assert getattr(dk, cls.__name__) is cls


def test_the_type_of_every_at_field_is_exported() -> None:
    at_names = {dk.attribute_name(spec.keyword) for spec in dk.COMMAND_ELEMENTS if spec.vr == "AT"}
    found = [
        typing.get_type_hints(cls)[name]
        for cls in dk.MESSAGE_CLASSES.values()
        for name in cls.requirements()
        if name in at_names
    ]
    assert len(found) == 15  # Offending Element in 11 responses, Attribute Identifier List in 4
    assert set(found) == {dk.AttributeTags | None}
    assert "AttributeTags" in dk.__all__


def test_the_error_types() -> None:
    assert issubclass(dk.InvalidMessageError, dk.DimseError)
    assert issubclass(dk.DecodeError, dk.DimseError)
    assert issubclass(dk.DimseError, ValueError)
    assert dk.InvalidMessageError.__module__ == "dimsekit"


def test_the_version() -> None:
    assert isinstance(dk.__version__, str)
    assert dk.__version__.count(".") == 2


PUBLIC_MODULES = ("dimsekit", "dimsekit.messages", "dimsekit.testing", "dimsekit.cli")
"""The public modules whose ``__all__`` names classes and functions (the pynetdicom bridge
is added when pynetdicom is installed)."""

NAMED_UNDER_ANOTHER_MODULE = {
    "DimseError": "dimsekit._errors",
    "InvalidMessageError": "dimsekit._errors",
    "InvalidPDUError": "dimsekit._errors",
    "LocalProtocolError": "dimsekit._errors",
    "ContextNotAgreedError": "dimsekit._errors",
    "DecodeError": "dimsekit._errors",
    "FramingError": "dimsekit._framing.events",
    "MessageReceived": "dimsekit._framing.events",
    "UndecodableMessage": "dimsekit._framing.events",
    "PDUReceived": "dimsekit._framing.events",
}
"""Classes whose ``__module__`` (for tracebacks and pickles) names a module that does not
define them: inspect reads the file of ``sys.modules[cls.__module__]``, so it cannot find
their source (as for ``collections.abc.Mapping``); name -> the module defining them."""

MADE_BY_HYPOTHESIS = {"uids", "message_of", "invalid_constructions"}
"""``@st.composite`` strategies: Hypothesis compiles their wrapper from a string."""


def _public_definitions() -> list[tuple[str, object]]:
    modules = [*PUBLIC_MODULES]
    if importlib.util.find_spec("pynetdicom") is not None:
        modules.append("dimsekit.interop.pynetdicom")
    return [
        (f"{module}.{name}", obj)
        for module in modules
        for name in importlib.import_module(module).__all__
        if isinstance(obj := getattr(importlib.import_module(module), name), type)
        or inspect.isfunction(obj)
    ]


@pytest.mark.parametrize(
    ("label", "obj"), _public_definitions(), ids=[label for label, _ in _public_definitions()]
)
def test_inspect_finds_the_source_of_every_public_class_and_function(
    label: str, obj: type | types.FunctionType
) -> None:
    """Its own source, never another file's lines; or, where it cannot, it says so."""
    name = label.rsplit(".", 1)[1]
    if name in NAMED_UNDER_ANOTHER_MODULE or name in MADE_BY_HYPOTHESIS:
        with pytest.raises(OSError, match=r"source code|class definition"):
            inspect.getsource(obj)
        return
    source = inspect.getsource(obj)
    (definition,) = ast.parse(textwrap.dedent(source)).body
    assert isinstance(definition, ast.ClassDef | ast.FunctionDef)
    assert definition.name == name
    assert inspect.getsourcefile(obj) == inspect.getsourcefile(inspect.getmodule(obj))  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "module"), NAMED_UNDER_ANOTHER_MODULE.items())
def test_the_classes_named_under_another_module_are_where_the_list_says(
    name: str, module: str
) -> None:
    cls = getattr(dk, name)
    defining = importlib.import_module(module)
    assert vars(defining)[name] is cls
    assert sys.modules[cls.__module__] is not defining
    assert re.search(rf"^class {name}\b", inspect.getsource(defining), re.MULTILINE)
