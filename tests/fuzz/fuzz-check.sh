#!/bin/sh
# The short packet fuzz of `make check`: 100K frames of a fixed seed, each
# through both ingress modes (about 3 s here). Run from the top of the
# build tree, as automake runs its tests. Needs root.
exec ./tests/fuzz/fuzz --seed 1 --count 100000 "$@"
