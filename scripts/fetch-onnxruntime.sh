#!/usr/bin/env bash
# scripts/fetch-onnxruntime.sh [DEST]
#
# Puts ONNX Runtime 1.31.1's C library into DEST (default: <repo>/ort-lib) from the PyPI wheel
# onnxruntime==1.31.1, pinned by sha256; the extracted library is checked against a second pinned sha256.
# Creates the libonnxruntime.so.1 and libonnxruntime.so symlinks. Idempotent; safe to run concurrently
# (atomic renames). Needs only `python3 -m pip` (pip uses whatever package index this machine is configured with).
#
# idphoto fetches the library by itself on first use (src/runtime/library.rs, same pins); this script is for a
# manual or offline step, e.g. to pre-seed a container image:
#   scripts/fetch-onnxruntime.sh /opt/idphoto            # then put the idphoto binary in /opt/idphoto too,
#                                                        # or set ORT_DYLIB_PATH=/opt/idphoto/libonnxruntime.so
# Env: PYTHON (default python3).
set -euo pipefail

ORT_VERSION=1.31.1
WHEEL_FILE=onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl
WHEEL_SHA256=5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f
LIB_IN_WHEEL=onnxruntime/capi/libonnxruntime.so.1.31.1
LIB_FILE=libonnxruntime.so.1.31.1
LIB_SHA256=fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEST="${1:-$here/../ort-lib}"
PYTHON="${PYTHON:-python3}"
log() { printf '[fetch-onnxruntime] %s\n' "$*" >&2; }
die() { printf '[fetch-onnxruntime] ERROR: %s\n' "$*" >&2; exit 1; }

sha256() { "$PYTHON" -c 'import hashlib,sys; h=hashlib.sha256(); f=open(sys.argv[1],"rb")
for b in iter(lambda: f.read(1<<20), b""): h.update(b)
print(h.hexdigest())' "$1"; }

links() {  # atomic (re)creation of the two symlinks
  local name tmp
  for name in libonnxruntime.so.1 libonnxruntime.so; do
    if [ "$(readlink "$DEST/$name" 2>/dev/null || true)" != "$LIB_FILE" ]; then
      tmp="$DEST/.$name.tmp.$$"
      ln -sfn "$LIB_FILE" "$tmp"
      mv -fT "$tmp" "$DEST/$name"
    fi
  done
}

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "only Linux x86_64 is supported (the wheel is manylinux_2_28_x86_64)"
"$PYTHON" -m pip --version >/dev/null 2>&1 || die "need $PYTHON with pip (or set PYTHON=...)"
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"

if [ -f "$DEST/$LIB_FILE" ] && [ "$(sha256 "$DEST/$LIB_FILE")" = "$LIB_SHA256" ]; then
  links
  log "already present: $DEST/$LIB_FILE (sha256 ok)"
  exit 0
fi

# The ".fetch-" prefix is the one idphoto clears when a killed run (no trap) leaves a folder behind.
work="$(mktemp -d "$DEST/.fetch-sh-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "onnxruntime==$ORT_VERSION --hash=sha256:$WHEEL_SHA256" > "$work/requirements.txt"
log "pip download onnxruntime==$ORT_VERSION (about 24 MB)"
# --platform/--python-version/--implementation make the download independent of the local Python version.
"$PYTHON" -m pip download --no-deps --only-binary=:all: --require-hashes -r "$work/requirements.txt" \
  --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp \
  --timeout 30 --retries 1 \
  --progress-bar off --disable-pip-version-check --no-input -d "$work" >&2
[ -f "$work/$WHEEL_FILE" ] || die "pip did not produce $WHEEL_FILE"
got="$(sha256 "$work/$WHEEL_FILE")"
[ "$got" = "$WHEEL_SHA256" ] || die "$WHEEL_FILE: sha256 mismatch, expected $WHEEL_SHA256, found $got"

"$PYTHON" - "$work/$WHEEL_FILE" "$LIB_IN_WHEEL" "$work/$LIB_FILE" <<'PY'
import sys, zipfile, shutil
whl, member, out = sys.argv[1:4]
with zipfile.ZipFile(whl) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
got="$(sha256 "$work/$LIB_FILE")"
[ "$got" = "$LIB_SHA256" ] || die "$LIB_FILE: sha256 mismatch, expected $LIB_SHA256, found $got"
chmod 755 "$work/$LIB_FILE"
mv -f "$work/$LIB_FILE" "$DEST/$LIB_FILE"    # same filesystem: atomic
links
log "ONNX Runtime $ORT_VERSION -> $DEST/$LIB_FILE (sha256 ok)"
