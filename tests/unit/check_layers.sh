#!/bin/sh
# The zebra module's layers (doc/architecture.md, "Layout and dependencies"):
# which folder of frr-plugin/ may include which. Run by `make check`; by
# hand: tests/unit/check_layers.sh [PLUGIN_DIR] (default: this tree's
# frr-plugin/). Reads the sources only.
#
# Fails on:
#   - an include of a layer the file's own may not include;
#   - an include of a plugin file that does not name its folder
#     ("dp_link.h", "../kernel/dp_link.h" instead of "kernel/dp_link.h");
#   - anything in fib/ but fib/ and bpf/ headers (it is FRR-free: bench/ and
#     tests/ build it alone);
#   - a source outside the declared folders, or two sources of one name
#     (vtysh/subdir.am presents the CLI sources to extract.pl by name).
# Then it proves itself: each kind of break, made in a copy of the tree,
# must be caught.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
plugin=${1:-$top/frr-plugin}

# The allowed graph, declared here and nowhere else: a layer, then the
# layers it may include besides itself. dplane_ebpf.c, at the top, ties
# them together and may include every one.
LAYERS='
core
maps	core
kernel	core maps
fib
fwd	core maps kernel fib
ct	core maps kernel fib fwd
lb	core maps kernel fib fwd ct
nat	core maps kernel fib fwd ct
police	core maps kernel fib fwd ct lb
chain	core maps kernel fib fwd
cli	core maps kernel fib fwd
'

# check DIR: the layer rules over the module's sources in DIR; prints each
# violation, returns 1 if there is any.
check() {
	dir=$1
	files=$(cd "$dir" && find . -name '*.[ch]' ! -name '*_clippy.c' |
		sed 's|^\./||' | LC_ALL=C sort)
	bpf_headers=$(cd "$top/bpf/include" && ls)
	# shellcheck disable=SC2086 # one argument per file
	(cd "$dir" && awk -v layers="$LAYERS" -v files="$files" \
		-v bpf_headers="$bpf_headers" '
	function fail(msg) {
		print msg
		bad++
	}
	BEGIN {
		n = split(layers, rows, "\n")
		for (i = 1; i <= n; i++) {
			if (split(rows[i], w, /[ \t]+/) < 1 || w[1] == "")
				continue
			layer[w[1]] = 1
			may[w[1], w[1]] = 1
			for (j = 2; j in w; j++) {
				may[w[1], w[j]] = 1
				list[w[1]] = list[w[1]] w[j] "/ "
			}
			list[w[1]] = list[w[1]] w[1] "/"
		}
		n = split(files, f, "\n")
		for (i = 1; i <= n; i++) {
			base = f[i]
			sub(/.*\//, "", base)
			if (base in seen)
				fail(seen[base] ", " f[i] ": one name, two files")
			seen[base] = f[i]
			if (f[i] == "dplane_ebpf.c")
				continue
			k = split(f[i], part, "/")
			if (k != 2 || !(part[1] in layer))
				fail(f[i] ": not in a declared layer folder (" \
				     "tests/unit/check_layers.sh, LAYERS)")
		}
		split(bpf_headers, h, "\n")
		for (i in h)
			bpf[h[i]] = 1
	}
	FNR == 1 {
		from = FILENAME
		if (from == "dplane_ebpf.c")
			from = "top"
		else
			sub(/\/.*/, "", from)
		checked++
	}
	/^[ \t]*#[ \t]*include[ \t]*"/ {
		inc = $0
		sub(/^[^"]*"/, "", inc)
		sub(/".*/, "", inc)
		where = FILENAME ":" FNR ": includes \"" inc "\""
		includes++
		to = inc
		sub(/\/.*/, "", to)
		base = inc
		sub(/.*\//, "", base)
		# a clippy output is named after its source
		if (!(base in seen))
			sub(/_clippy\.c$/, ".c", base)
		if (inc ~ /\// && (to in layer)) {
			if (from != "top" && !((from, to) in may))
				fail(where ": " from "/ may include " \
				     list[from] " only")
		} else if (base in seen) {
			fail(where ": name its folder (" seen[base] ")")
		} else if (from == "fib" && !(inc in bpf) && inc !~ /(^|\/)bpf\//) {
			fail(where ": fib/ is FRR-free: fib/ and bpf/ headers only")
		}
	}
	/^[ \t]*#[ \t]*include[ \t]*</ && from == "fib" {
		if ($0 ~ /<(zebra\.h|lib\/|zebra\/|frr)/)
			fail(FILENAME ":" FNR ": fib/ is FRR-free")
	}
	END {
		if (bad)
			exit 1
		printf "%d files, %d quoted includes checked\n", checked,
		       includes
	}' $files)
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

status=0
echo "== $plugin"
check "$plugin" >"$tmp/base" 2>&1 || status=1
cat "$tmp/base"

# Each kind of break, in a copy: the check must see it (a new violation
# that names the file it was made in).
for bad in \
	'kernel/dp_link.c:#include "fwd/dp_nhg.h"' \
	'core/dp_stall.c:#include "maps/dp_maps.h"' \
	'fib/dp_fib.c:#include "core/dp_plugin.h"' \
	'fib/dp_fib.c:#include "lib/zebra.h"' \
	'maps/dp_pin.c:#include "dp_pin.h"' \
	'kernel/dp_neigh.c:#include "../fwd/dp_nhg.h"' \
	'cli/dp_route.h:/* a second dp_route.h */' \
	'lb/lb_health.c:#include "cli/dp_vty.h"' \
	'lb/lb_owner.c:#include "cli/dp_nb.h"' \
	'ct/ct_age.c:#include "lb/lb.h"' \
	'nat/nat_owner.c:#include "lb/lb.h"' \
	'policer/dp_pol.c:/* an undeclared folder */'; do
	file=${bad%%:*}
	line=${bad#*:}
	rm -rf "$tmp/p"
	cp -R "$plugin" "$tmp/p"
	mkdir -p "$(dirname "$tmp/p/$file")"
	echo "$line" >>"$tmp/p/$file"
	check "$tmp/p" >"$tmp/out" 2>&1
	if grep -vxFf "$tmp/base" "$tmp/out" | grep -F "$file" >"$tmp/new"
	then
		echo "caught: $(cat "$tmp/new")"
	else
		echo "FAIL: not caught: $file: $line"
		cat "$tmp/out"
		status=1
	fi
done

[ "$status" = 0 ] && echo "PASS" || echo "FAIL"
exit "$status"
