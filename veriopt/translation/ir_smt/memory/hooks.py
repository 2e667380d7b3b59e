"""What the function encoder (function.py) calls into: importing this
module registers the memory builders (instructions, intrinsics) in the
registry, and names the hooks for arguments, returns and globals."""
from __future__ import annotations

from veriopt.translation.ir_smt.memory import instructions, intrinsics  # noqa: F401 (registration)
from veriopt.translation.ir_smt.memory.attributes import param_attrs, ret_attrs  # noqa: F401
from veriopt.translation.ir_smt.memory.globals import global_address  # noqa: F401
from veriopt.translation.ir_smt.memory.instructions import handles_metadata  # noqa: F401
from veriopt.translation.ir_smt.memory.intrinsics import handles_call_attr  # noqa: F401
from veriopt.translation.ir_smt.memory.model import Memory  # noqa: F401
