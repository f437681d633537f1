#!/usr/bin/env bash
# The README's "Platforms" section, checked rather than hoped: build the suite as another
# system would (SYSTEM=other, with tests/not_linux.h hiding Linux's own socket options and
# families, warnings as errors) in a copy of the tree. Every program must build there, but
# those the section's "skips" line names, which make must skip, each with its line.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$PWD
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
git ls-files -z --cached --others --exclude-standard | tar -cf - --null -T - | tar -xf - -C "$tree"
doc=$(grep -l '^## Platforms' README.md *.md 2>/dev/null | head -n 1)
[ -n "$doc" ] || { echo "platforms: no '## Platforms' section in README.md or the reference"; exit 1; }
promised=$(sed -n '/^## Platforms/,/^## /p' "$doc" | grep -m 1 'skips' | grep -oE '`(code|udp|tcp|sntp)/[a-z_0-9]+`' | tr -d '`' | sort)
[ -n "$promised" ] || { echo "platforms: $doc's Platforms section has no line that says what make skips"; exit 1; }
if ! make -C "$tree" -s SYSTEM=other CFLAGS="-O2 -g -Werror -include $top/tests/not_linux.h" all >"$tree/.log" 2>&1; then
    echo "platforms: the build as another system fails:"; grep -E 'error|Error' "$tree/.log" | head -n 20
    exit 1
fi
skipped=$(sed -nE 's/^skipped ((code|udp|tcp|sntp)\/[a-z_0-9]+): .+/\1/p' "$tree/.log" | sort)
status=0
if [ "$skipped" != "$promised" ]; then
    echo "platforms: make skips [$(echo $skipped)], $doc says [$(echo $promised)]"; status=1
fi
for source in "$tree"/{code,udp,tcp,sntp}/*.c; do
    program=${source%.c}
    name=${program#"$tree"/}
    grep -qx "$name" <<<"$promised" && continue
    [ -x "$program" ] || { echo "platforms: $name did not build"; status=1; }
done
[ $status -eq 0 ] && echo "platforms: as another system, every program builds but $(echo $promised), skipped as $doc says"
exit $status
