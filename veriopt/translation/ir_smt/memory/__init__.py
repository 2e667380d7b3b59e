"""Memory for the IR semantics, after Alive2's model (docs/memory.md):
pointers as (block, offset) lanes, blocks with size, alignment and
liveness, byte-addressed contents with per-bit poison, and the builders of
`alloca`, `load`, `store` and `getelementptr`. The builders register when
`memory.instructions` is imported (function.py does)."""
