"""herd's cat language: parser (cat/parser.py) and staged interpreter (cat/interp.py)."""
