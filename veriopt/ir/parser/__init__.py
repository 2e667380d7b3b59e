"""Parse LLVM's canonical printing of a module into the typed view of
`model.py`.

The text always comes from llvmlite (`loader.py`), which has already parsed,
verified and re-printed it with LLVM 22's AsmWriter: so this parser needs to
know only the canonical spellings, and it never sees malformed input. What
it does not understand it keeps as opaque data, for the verifier to report
as unsupported.

The stages, one module each, each a layer of the one `Parser` class:
lexer (tokens and the cursor), values (types, constants, attributes),
instructions, module (functions, blocks, attribute groups).
"""
from veriopt.ir.parser.lexer import Tok, TokenStream, tokenize
from veriopt.ir.parser.module import Parser, parse_module_text

__all__ = ["Parser", "Tok", "TokenStream", "parse_module_text", "tokenize"]
