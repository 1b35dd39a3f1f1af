"""Front end: lark grammars and transformers from text to immutable AST dataclasses."""
