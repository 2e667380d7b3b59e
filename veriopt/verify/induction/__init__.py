"""Loops proved for every iteration count: see prove.py."""
from veriopt.verify.induction.prove import Proof, prove

__all__ = ["Proof", "prove"]
