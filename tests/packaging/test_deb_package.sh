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
DESKTOP="$U/share/applications/org.steerbridge.SteerBridge.desktop"
METAINFO="$U/share/metainfo/org.steerbridge.SteerBridge.metainfo.xml"
grep -q '^Icon=steerbridge$' "$DESKTOP" || fail ".desktop Icon is not steerbridge"
# Exec names a program the package installs in /usr/bin (what the menu launches).
exec_bin=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$DESKTOP" | head -1)
[ -n "$exec_bin" ] && [ -x "$U/bin/$exec_bin" ] || fail ".desktop Exec '$exec_bin' is not an installed /usr/bin program"
# The metainfo describes this desktop file and names its binary; the file name is its id.
python3 - "$METAINFO" "$(basename "$DESKTOP")" <<'PY' || fail "metainfo does not match the installed .desktop file"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cid = root.findtext("id")
assert sys.argv[1].endswith("/" + cid + ".metainfo.xml"), ("id", cid)
launch = [l.text for l in root.findall("launchable") if l.get("type") == "desktop-id"]
assert launch == [sys.argv[2]], ("launchable", launch)
assert "steerbridge" in [b.text for b in root.iter("binary")], "provides/binary"
PY
# Each hicolor PNG is the size its folder says (read from the PNG IHDR chunk),
# and the icon theme has the sizes desktops look up.
for png in "$U"/share/icons/hicolor/*/apps/steerbridge.png; do
  size=$(basename "$(dirname "$(dirname "$png")")")
  actual=$(python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(24); assert b[:8]==b"\x89PNG\r\n\x1a\n"; w,h=struct.unpack(">II",b[16:24]); print(f"{w}x{h}")' "$png") \
    || { fail "$png is not a PNG"; continue; }
  [ "$actual" = "$size" ] || fail "icon in hicolor/$size is $actual"
done
for size in 16x16 32x32 48x48 64x64 128x128 256x256; do
  [ -e "$U/share/icons/hicolor/$size/apps/steerbridge.png" ] || fail "no $size icon"
done
# Man pages: gzip-compressed troff whose .TH names the program and section 1.
for page in steerbridge steerbridge-cli; do
  th=$(zcat "$U/share/man/man1/$page.1.gz" 2>/dev/null | grep -m1 '^\.TH' | awk '{print $2, $3}')
  upper=$(tr 'a-z' 'A-Z' <<<"$page")
  [ "$th" = "$upper 1" ] || fail "man page $page.1.gz: .TH is '$th', expected '$upper 1'"
done
# Everything in the .deb lies under /usr (nothing in /usr/local, /opt, /home or the build tree).
bad_paths=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '^\./$' | grep -v '^\./usr/' || true)
[ -z "$bad_paths" ] || fail "package files outside /usr: $bad_paths"

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
    # The report must agree with the installed files themselves: config.json
    # (read here with its own aliases, gpt2 n_embd/n_layer/n_head/n_positions)
    # and the safetensors header (tensor bytes summed from data_offsets).
    python3 - "$WORK/compare.json" "$MODELS" <<'PY' || fail "installed 'compare' output disagrees with the installed model files"
import json, os, struct, sys
j = json.load(open(sys.argv[1]))
models = sys.argv[2]
def first(cfg, *keys):
    for k in keys:
        if cfg.get(k) is not None:
            return cfg[k]
    raise KeyError(keys)
for side, name in (("source", "stories260k"), ("target", "stories-gpt2")):
    r = j[side]
    folder = os.path.join(models, name)
    cfg = json.load(open(os.path.join(folder, "config.json")))
    assert r["name"] == name, (side, r["name"])
    assert os.path.realpath(r["directory"]) == os.path.realpath(folder), (side, r["directory"])
    assert r["model_type"] == cfg["model_type"], (side, r["model_type"])
    heads = first(cfg, "num_attention_heads", "n_head")
    want = {
        "hidden_size": first(cfg, "hidden_size", "n_embd"),
        "layers": first(cfg, "num_hidden_layers", "n_layer"),
        "heads": heads,
        "kv_heads": cfg.get("num_key_value_heads") or heads,
        "vocab_size": cfg["vocab_size"],
        "context_length": first(cfg, "max_position_embeddings", "n_positions"),
    }
    for k, v in want.items():
        assert r[k] == v, (side, k, r[k], v)
    with open(os.path.join(folder, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    data = sum(t["data_offsets"][1] - t["data_offsets"][0] for k, t in header.items() if k != "__metadata__")
    assert r["weight_bytes"] == data, (side, "weight_bytes", r["weight_bytes"], data)
    assert r["tokenizer"]["present"] is True, (side, "tokenizer")
# Depth mapping: every source layer maps to a target layer that exists.
src_layers, tgt_layers = j["source"]["layers"], j["target"]["layers"]
for a, b in [(p[0], p[1]) if isinstance(p, list) else (p["source"], p["target"]) for p in j["mapping"]["depth"]]:
    assert 0 <= a < src_layers and 0 <= b < tgt_layers, ("mapping", a, b)
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
