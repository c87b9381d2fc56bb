"""Start-up and per-sentence object costs: a faster dataclass __init__, and
loading with the cyclic garbage collector paused.

A faster __init__ for the frozen, slotted dataclasses made per sentence.

A frozen dataclass's generated __init__ sets each field through
`object.__setattr__(self, "name", value)`, which looks the field up by name
every time; results are made several times per sentence (hits, mentions,
tokens, scores), and that look-up was a tenth of scoring time. `frozen_init`
replaces the generated __init__ with one of the same signature that sets
each field through its slot descriptor, found once: half the time. The class
stays a frozen dataclass (assignment still raises, `replace`, equality,
hashing and `fields` are untouched; pickling goes through the same
__init__). Like `dataclasses` itself, the __init__ is generated from source.

Loading the shipped rules and building their matcher leave some 74,000
objects the cyclic collector tracks (of 106,000 in a process that has
loaded a classifier), all living as long as the classifier. While they are
built, every few hundred allocations set off the collector, which walks
the ones made so far, finding no garbage: about 40 ms of a cold start.
`paused_gc` builds them with it off.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


def frozen_init(cls: type[T]) -> type[T]:
    """Give a frozen, slotted dataclass an __init__ that sets its slots directly."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not hasattr(cls, "__slots__") or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: frozen_init needs a frozen, slotted dataclass without __post_init__")
    fields = [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    if len(fields) != len(dataclasses.fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: frozen_init needs every field in __init__")
    namespace: dict[str, Any] = {}
    args, lines = [], []
    for f in fields:
        namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is not dataclasses.MISSING:
            namespace[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
            lines.append(f"    _set_{f.name}(self, {f.name})")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            namespace["_MISSING"] = dataclasses.MISSING
            args.append(f"{f.name}=_MISSING")
            lines.append(f"    _set_{f.name}(self, _factory_{f.name}() if {f.name} is _MISSING else {f.name})")
        else:
            args.append(f.name)
            lines.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(args)}):\n" + ("\n".join(lines) or "    pass") + "\n"
    exec(source, namespace)  # noqa: S102 - our own field names, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    cls.__reduce__ = _reduce_through_init(cls, [f.name for f in fields])  # type: ignore[method-assign]
    return cls


def _reduce_through_init(cls: type, names: list[str]) -> Any:
    """A __reduce__ that rebuilds through the fast __init__: a slotted
    dataclass's own __setstate__ looks its fields up for every object,
    two-thirds of reading the compiled rules' 22,000 words and phrases."""
    get = attrgetter(*names) if names else None
    if len(names) == 1:
        return lambda self: (cls, (get(self),))  # type: ignore[misc]
    return lambda self: (cls, get(self) if get is not None else ())


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run a block (or, as a decorator, a function) with the cyclic garbage
    collector off, then put it back as it was.

    Only for work that builds objects meant to last and runs briefly:
    reference counting still frees what the block drops, and a cycle it
    leaves behind waits for the next collection after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
