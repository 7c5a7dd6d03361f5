#!/usr/bin/env bash
# Builds the .deb with cpack, unpacks it with dpkg -x into a temporary root and
# checks it as an installed system would see it: runtime Depends, desktop
# integration files, man pages covering every CLI command, and the installed
# steerbridge-cli running on the installed demo models (resources found through
# core/engine/paths.cpp as <prefix>/share/steerbridge next to the binary).
#
# usage: test_deb_package.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
pass() { echo "PASS: $*"; }

WORK=$(mktemp -d "$BUILD/pkgtest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---- build the package
if ! cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$WORK/out" >"$WORK/cpack.log" 2>&1; then
  cat "$WORK/cpack.log" >&2
  echo "FAIL: cpack could not build the package" >&2
  exit 1
fi
deb=$(ls "$WORK"/out/steerbridge_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { cat "$WORK/cpack.log" >&2; echo "FAIL: no steerbridge_*.deb produced" >&2; exit 1; }
pass "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# ---- control fields: Depends must name the package of every shared library
# the installed binaries load (derived here independently of dpkg-shlibdeps:
# ELF NEEDED entries -> ldconfig path -> dpkg -S), plus the ones opened with
# dlopen, which no tool can see.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
dep_names=$(tr ',' '\n' <<<"$depends" | sed 's/(.*//; s/|.*//; s/[[:space:]]//g' | grep -v '^$')
has_dep() { grep -qxF "$1" <<<"$dep_names"; }
for p in libtorch1.13 libqt6core6 libqt6widgets6 libqcustomplot2.1-qt6 libsentencepiece0 libopenblas0-pthread libstdc++6 libc6; do
  has_dep "$p" || fail "Depends lacks $p"
done
[ "$(dpkg-deb -f "$deb" Package)" = steerbridge ] || fail "Package field is not 'steerbridge'"
[ -n "$(dpkg-deb -f "$deb" Description)" ] || fail "no Description"

# ---- unpack as an installed system would have it
ROOT="$WORK/root"
dpkg -x "$deb" "$ROOT" || { echo "FAIL: dpkg -x failed" >&2; exit 1; }
U="$ROOT/usr"
for f in bin/steerbridge bin/steerbridge-cli \
         share/applications/org.steerbridge.SteerBridge.desktop \
         share/metainfo/org.steerbridge.SteerBridge.metainfo.xml \
         share/icons/hicolor/scalable/apps/steerbridge.svg \
         share/icons/hicolor/48x48/apps/steerbridge.png \
         share/icons/hicolor/256x256/apps/steerbridge.png \
         share/man/man1/steerbridge-cli.1.gz share/man/man1/steerbridge.1.gz \
         share/doc/steerbridge/copyright \
         share/steerbridge/models/stories260k/model.safetensors \
         share/steerbridge/models/stories-gpt2/config.json \
         share/steerbridge/models/stories-llama96/tokenizer.json; do
  [ -e "$U/$f" ] || fail "package lacks /usr/$f"
done
[ -n "$(ls "$U"/share/steerbridge/pairs/*.jsonl 2>/dev/null)" ] || fail "package lacks the pair datasets"
[ -n "$(ls "$U"/share/steerbridge/corpus/ 2>/dev/null)" ] || fail "package lacks the probe corpus"
# Private libraries built here (the SentencePiece shim) must be installed too.
for lib in "$BUILD"/lib/steerbridge/*.so; do
  [ -e "$lib" ] || continue
  [ -e "$U/lib/steerbridge/$(basename "$lib")" ] || fail "package lacks /usr/lib/steerbridge/$(basename "$lib")"
done
# Installed binaries must not point back into the build tree.
for b in "$U/bin/steerbridge" "$U/bin/steerbridge-cli"; do
  if readelf -d "$b" | grep -E "R(UN)?PATH" | grep -q "$BUILD\|$SRC"; then fail "$(basename "$b") has an RPATH into the build tree"; fi
  if readelf -S "$b" | grep -q "\.debug_info"; then fail "$(basename "$b") is not stripped"; fi
done
for elf in "$U"/bin/* "$U"/lib/steerbridge/*.so; do
  [ -e "$elf" ] || continue
  for lib in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}')
    [ -n "$path" ] || { fail "$(basename "$elf") needs $lib, which is not installed here"; continue; }
    pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$pkg" ] || { fail "$lib ($path) belongs to no Debian package"; continue; }
    has_dep "$pkg" || fail "$(basename "$elf") needs $lib from $pkg, which Depends does not name"
  done
done
pass "file layout"

# ---- desktop integration metadata
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$U/share/metainfo/org.steerbridge.SteerBridge.metainfo.xml" >"$WORK/as.log" 2>&1 \
    || { cat "$WORK/as.log" >&2; fail "appstreamcli rejects the metainfo"; }
else
  echo "SKIP: appstreamcli not installed (apt-get install appstream)"
fi
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$U/share/applications/org.steerbridge.SteerBridge.desktop" || fail "desktop-file-validate rejects the .desktop file"
else
  echo "SKIP: desktop-file-validate not installed (apt-get install desktop-file-utils)"
fi
grep -q '^Icon=steerbridge$' "$U/share/applications/org.steerbridge.SteerBridge.desktop" || fail ".desktop Icon is not steerbridge"
grep -q '^Exec=steerbridge' "$U/share/applications/org.steerbridge.SteerBridge.desktop" || fail ".desktop Exec is not steerbridge"

# ---- the installed CLI, run from an unrelated directory with no overrides
CLI="$U/bin/steerbridge-cli"
MODELS="$U/share/steerbridge/models"
cd "$WORK"
export SB_QUIET=1
unset SB_RESOURCE_DIR SB_SPM_SHIM
# Every command the CLI lists has a section in the man page.
zcat "$U/share/man/man1/steerbridge-cli.1.gz" >"$WORK/man.1"
cmds=$("$CLI" --help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
[ -n "$cmds" ] || fail "steerbridge-cli --help lists no commands"
for c in $cmds; do
  grep -q "^\.SS $c\b" "$WORK/man.1" \
    || fail "man page steerbridge-cli.1 has no section for command '$c' (add a .SS $c section to packaging/steerbridge-cli.1)"
done
if command -v groff >/dev/null; then
  warn=$(groff -man -Tutf8 -ww -z "$WORK/man.1" 2>&1)
  [ -z "$warn" ] || fail "groff warns about steerbridge-cli.1: $warn"
fi
pass "man page covers: $(echo $cmds)"

if "$CLI" --help | grep -q '^  compare '; then
  # compare: the two demo models of different architectures.
  if "$CLI" compare "$MODELS/stories260k" "$MODELS/stories-gpt2" --json >"$WORK/compare.json" 2>"$WORK/compare.err"; then
    python3 - "$WORK/compare.json" <<'PY' || fail "installed 'compare' output is not the expected report"
import json, sys
j = json.load(open(sys.argv[1]))
text = json.dumps(j)
assert "stories260k" in text and "stories-gpt2" in text, "model names missing"
PY
    pass "installed steerbridge-cli compare on the installed demo models"
  else
    cat "$WORK/compare.err" >&2; fail "installed steerbridge-cli compare failed"
  fi
else
  # Until compare exists: info on each installed demo model.
  for m in stories260k stories-gpt2 stories-llama96; do
    if "$CLI" info "$MODELS/$m" --json >"$WORK/$m.json" 2>"$WORK/$m.err"; then
      python3 - "$WORK/$m.json" "$MODELS/$m/config.json" "$m" <<'PY' || fail "installed 'info $m' disagrees with its config.json"
import json, sys
info = json.load(open(sys.argv[1])); cfg = json.load(open(sys.argv[2]))
assert info["name"] == sys.argv[3], info["name"]
hidden = cfg.get("hidden_size", cfg.get("n_embd"))
layers = cfg.get("num_hidden_layers", cfg.get("n_layer"))
assert info["hidden_size"] == hidden, (info["hidden_size"], hidden)
assert info["layers"] == layers, (info["layers"], layers)
PY
    else
      cat "$WORK/$m.err" >&2; fail "installed steerbridge-cli info $m failed"
    fi
  done
  pass "installed steerbridge-cli info on the installed demo models"
fi
# Generation from the installed model files.
out=$("$CLI" generate "$MODELS/stories260k" --ids 1,403,407 --max-new-tokens 8 --greedy --json 2>"$WORK/gen.err") \
  || { cat "$WORK/gen.err" >&2; fail "installed steerbridge-cli generate failed"; }
grep -q '"ids":\[1,403,407,' <<<"$out" || fail "generate printed no continuation: $out"
# The tokenizer path end to end (tokenizer.json of the installed model).
out=$("$CLI" generate "$MODELS/stories260k" --prompt "Once upon a time" --max-new-tokens 8 --greedy --json 2>"$WORK/gen.err") \
  || { cat "$WORK/gen.err" >&2; fail "installed steerbridge-cli generate --prompt failed"; }
grep -q '"text":"Once upon a time' <<<"$out" || fail "generate --prompt printed no text: $out"

if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed" >&2
  exit 1
fi
echo "all package checks passed"
