"""What a call to a declared function may do, from the declaration's and
the call site's attributes (LangRef's memory locations): read or write the
memory its pointer arguments point to (`argmem`), its own inaccessible
memory (`inaccessiblemem`), any other memory the caller can see; free it;
not return; return."""
from __future__ import annotations

from dataclasses import dataclass

from veriopt.errors import Unsupported

_KINDS = {"none": (False, False), "read": (True, False), "write": (False, True),
          "readwrite": (True, True)}
_LOCATIONS = {"argmem": "arg", "inaccessiblemem": "inacc", "errnomem": "other", "other": "other"}
# (LangRef also names `target_mem0`, ...: refused as unknown locations)
# old-style attributes: what they leave of (read, write), and of which locations
_OLD_KINDS = {"readnone": (False, False), "readonly": (True, False), "writeonly": (False, True)}
_OLD_PLACES = {"argmemonly": {"arg"}, "inaccessiblememonly": {"inacc"},
               "inaccessiblemem_or_argmemonly": {"arg", "inacc"}}
# function attributes that do not change what the caller can observe of a call
IGNORED = {"nounwind", "mustprogress", "nosync", "norecurse", "speculatable", "uwtable",
           "noinline", "optnone", "cold", "hot", "nocallback", "minsize", "optsize",
           "alwaysinline", "inlinehint", "nomerge", "noduplicate", "local_unnamed_addr",
           "unnamed_addr", "dso_local", "nocf_check", "noimplicitfloat", "noredzone", "ssp",
           "sspreq", "sspstrong", "convergent", "builtin", "nobuiltin", "null_pointer_is_valid",
           "nofree", "noreturn", "willreturn"}


@dataclass(frozen=True)
class Effects:
    reads: frozenset[str]    # of "arg", "inacc", "other"
    writes: frozenset[str]
    frees: bool              # may free memory it may write (not `nofree`)
    noreturn: bool           # never returns
    willreturn: bool         # always returns (or is UB)

    @property
    def kind(self) -> tuple:
        """What a target call must share with the source call it stands for."""
        return (self.reads, self.writes, self.frees, self.noreturn, self.willreturn)


def call_effects(attrs: list[str]) -> Effects:
    """The effects of a callee with function attributes `attrs` (its
    declaration's and the call site's; each restricts further)."""
    everywhere = {"arg", "inacc", "other"}
    reads, writes = set(everywhere), set(everywhere)
    for attr in attrs:
        name = attr.split("(")[0]
        if name in _OLD_KINDS:
            r, w = _OLD_KINDS[name]
            reads &= everywhere if r else set()
            writes &= everywhere if w else set()
        elif name in _OLD_PLACES:
            reads &= _OLD_PLACES[name]
            writes &= _OLD_PLACES[name]
        elif name == "memory":
            r, w = _memory_attr(attr)
            reads &= r
            writes &= w
        elif name not in IGNORED and not attr.startswith('"'):
            raise Unsupported(f"function attribute {attr} on a call")
    noreturn, willreturn = "noreturn" in attrs, "willreturn" in attrs
    if noreturn and willreturn:
        raise Unsupported("a call that is both noreturn and willreturn")
    return Effects(frozenset(reads), frozenset(writes), bool(writes) and "nofree" not in attrs,
                   noreturn, willreturn)


def _memory_attr(attr: str) -> tuple[set[str], set[str]]:
    """`memory(read, argmem: readwrite)` as (locations read, locations written)."""
    default: tuple[bool, bool] = (False, False)
    per_place: dict[str, tuple[bool, bool]] = {}
    for item in attr[len("memory("):-1].replace(" ", "").split(","):
        place, _, kind = item.rpartition(":")
        if kind not in _KINDS or (place and place not in _LOCATIONS):
            raise Unsupported(f"function attribute {attr} on a call")
        if place:
            per_place[place] = _KINDS[kind]
        else:
            default = _KINDS[kind]
    places = {loc: per_place.get(name, default) for name, loc in _LOCATIONS.items()
              if name != "errnomem"}
    errno = per_place.get("errnomem", default)   # errno is memory the caller can see
    places["other"] = (places["other"][0] or errno[0], places["other"][1] or errno[1])
    return ({p for p, (r, _) in places.items() if r}, {p for p, (_, w) in places.items() if w})
