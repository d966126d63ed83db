"""Generated code shows its source: in tracebacks, to linecache and to inspect.

Each kind of generated function (the fast ``__init__`` of a message class, a canonical
decoder, a command encoder) is made by ``_codegen.compile_function``; a call made to
fail inside each shows the generated line it failed on.
"""

from __future__ import annotations

import inspect
import linecache
import traceback
from collections.abc import Callable
from typing import Any

import pytest

import dimsekit as dk
from dimsekit._codec.encode import _COMPILED
from dimsekit._codec.fast_decode import _DECODERS
from dimsekit._codegen import compile_function

_PREFIX = "<dimsekit generated: "


def generated_functions() -> list[tuple[str, Callable[..., Any]]]:
    """(label, function) for every function dimsekit generates."""
    found: list[tuple[str, Callable[..., Any]]] = []
    for cls in dk.MESSAGE_CLASSES.values():
        found.append((f"{cls.__name__}.__init__", cls.__init__))
        found.append((f"{cls.__name__} decoder", _DECODERS[int(cls.command_field)]))
        found.append((f"{cls.__name__} encoder", _COMPILED[cls][1]))
    return found


def test_every_generated_function_is_named_and_shows_its_source() -> None:
    functions = generated_functions()
    assert len(functions) == 3 * 23
    linecache.checkcache()  # as traceback does: generated entries stay
    filenames = set()
    for label, function in functions:
        filename = function.__code__.co_filename
        assert filename == f"{_PREFIX}{label}>"
        filenames.add(filename)
        source = inspect.getsource(function.__code__)  # not what __wrapped__ names
        assert source.startswith(f"def {function.__code__.co_name}(")
        assert "".join(linecache.getlines(filename)) == source
    assert len(filenames) == len(functions)


def _generated_frames(error: BaseException) -> list[traceback.FrameSummary]:
    return [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(_PREFIX)
    ]


def _generated_frame(error: BaseException) -> traceback.FrameSummary:
    frames = _generated_frames(error)
    assert len(frames) == 1, frames
    return frames[0]


def test_a_traceback_through_a_fast_init_shows_its_line() -> None:
    """And the line of the validator, compiled from its rule, that refused the value:
    the clause it breaks."""
    with pytest.raises(dk.InvalidMessageError) as caught:
        dk.CEchoRequest(message_id=70000)  # refused inline, so handed to attrs' __init__
    frame, refusal = _generated_frames(caught.value)
    assert refusal.filename == f"{_PREFIX}check_us>"
    assert refusal.line == (
        "_refuse(inst, attribute.name, value, 'a US value is from 0 to 65535', 'PS3.5 6.2')"
    )
    assert frame.filename == f"{_PREFIX}CEchoRequest.__init__>"
    assert frame.line == (
        "_slow(self, message_id=message_id, affected_sop_class_uid=affected_sop_class_uid)"
    )
    text = "".join(traceback.format_exception(caught.value))
    assert f'File "{_PREFIX}CEchoRequest.__init__>", line {frame.lineno}, in __init__\n' in text
    assert f"\n    {frame.line}\n" in text


def test_a_traceback_through_a_decoder_shows_its_line() -> None:
    decoder = _DECODERS[int(dk.CommandField.C_ECHO_RQ)]
    with pytest.raises(TypeError) as caught:
        decoder(b"", "not a length", None)  # type: ignore[arg-type]  # the comparison with n fails
    frame = _generated_frame(caught.value)
    assert frame.filename == f"{_PREFIX}CEchoRequest decoder>"
    assert frame.line is not None
    assert frame.line.startswith("tw, ln, us = _head(raw, pos) if pos + 10 <= n else")


def test_a_traceback_through_an_encoder_shows_its_line() -> None:
    encoder = _COMPILED[dk.CEchoRequest][1]
    with pytest.raises(AttributeError) as caught:
        encoder(object(), 0x0101)  # type: ignore[arg-type]  # no message: no first field
    frame = _generated_frame(caught.value)
    assert frame.filename == f"{_PREFIX}CEchoRequest encoder>"
    assert frame.line == "v0 = message.affected_sop_class_uid"


def test_one_label_for_two_sources_gets_two_file_names() -> None:
    first = compile_function("def f():\n    return 1 // 0", "f", "a test label", {})
    second = compile_function("def f():\n    return [][0]", "f", "a test label", {})
    again = compile_function("def f():\n    return 1 // 0", "f", "a test label", {})
    assert first.__code__.co_filename == f"{_PREFIX}a test label>"
    assert second.__code__.co_filename == f"{_PREFIX}a test label (2)>"
    assert again.__code__.co_filename == first.__code__.co_filename  # the same source
    for function, line in ((first, "return 1 // 0"), (second, "return [][0]")):
        with pytest.raises((ZeroDivisionError, IndexError)) as caught:
            function()
        assert _generated_frame(caught.value).line == line


def test_the_namespace_is_the_functions_globals() -> None:
    namespace: dict[str, Any] = {"k": 41}
    function = compile_function("def g(x):\n    return x + k\n", "g", "globals test", namespace)
    assert function(1) == 42
    assert function.__globals__ is namespace
