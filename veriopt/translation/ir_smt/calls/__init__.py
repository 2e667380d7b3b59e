"""Calls to declared functions (bodies unknown), after Alive2's model: a
callee is a fixed but unknown function of its arguments and of the memory
it may read; source and target call the same function. See docs/calls.md.
"""
