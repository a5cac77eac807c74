"""Per-app objects of the matrix: each module's build(world) returns named objects (README.md)."""
