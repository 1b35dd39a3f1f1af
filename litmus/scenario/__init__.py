"""Pageblock scenarios: a small DSL (.pb) that expands into families of herd7 C litmus tests."""
