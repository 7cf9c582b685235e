#!/usr/bin/env bash
# Builds the test image localhost/victoria-fake:test (a stand-in for the Victoria Terminal agent)
# without any registry: busybox-static rootfs -> `import` as localhost/victoria-fake-base:test,
# then Containerfile FROM it with fake-victoria.sh as ENTRYPOINT and the host's sqlite3 (with the
# shared libraries and the loader it links, at the same paths), so the agent writes a real crush.db.
#
# Usage: build-image.sh [RUNTIME] [--force]
#   RUNTIME  container CLI, default "podman" (e.g. "docker -H unix:///run/podman/podman.sock";
#            the value is split on spaces)
#   --force  rebuild even if the image exists and is current
# Skips the build when the image exists and carries the sha256 of what goes into it (fake-victoria.sh,
# Containerfile, sqlite3 and its libraries).
set -euo pipefail

RUNTIME_STR=podman
FORCE=0
for a in "$@"; do
    case "$a" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) RUNTIME_STR=$a ;;
    esac
done
read -r -a RT <<<"$RUNTIME_STR"

IMAGE=localhost/victoria-fake:test
BASE=localhost/victoria-fake-base:test
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT=$HERE/fake-victoria.sh

SQLITE=$(command -v sqlite3 || true)
if [ -z "$SQLITE" ]; then
    echo "build-image: sqlite3 is needed (apt-get install sqlite3)" >&2
    exit 1
fi
# What a dynamic sqlite3 loads, as absolute paths (none when it is static; no vdso: it has no file).
LDD=$(ldd "$SQLITE" 2>&1 || true)
if grep -q 'not found' <<<"$LDD"; then
    echo "build-image: $SQLITE lacks libraries: $LDD" >&2
    exit 1
fi
LIBS=$(grep -o '/[^ ]*' <<<"$LDD" || true)
# Names relative to $HERE, host files absolute: the sum is the same in every checkout, and a changed
# library list (or sqlite3 upgrade) rebuilds the image.
SUM=$( { (cd "$HERE" && sha256sum fake-victoria.sh Containerfile); sha256sum "$SQLITE" $LIBS; } | sha256sum | cut -c1-64)

if [ "$FORCE" = 0 ]; then
    have=$("${RT[@]}" image inspect --format '{{index .Config.Labels "victoria.fake.sha256"}}' "$IMAGE" 2>/dev/null || true)
    if [ "$have" = "$SUM" ]; then
        echo "build-image: $IMAGE is up to date"
        exit 0
    fi
fi

BUSYBOX=/bin/busybox
if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
    echo "build-image: a static $BUSYBOX is needed (apt-get install busybox-static)" >&2
    exit 1
fi

# ids of the images being replaced, removed after the build (errors ignored: may be in use)
OLD_IDS=$("${RT[@]}" image inspect --format '{{.Id}}' "$IMAGE" "$BASE" 2>/dev/null || true)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Base image: busybox + applet symlinks + passwd/group (rebuilt only when missing or --force).
if [ "$FORCE" = 1 ] || ! "${RT[@]}" image inspect "$BASE" >/dev/null 2>&1; then
    R=$WORK/rootfs
    mkdir -p "$R"/{bin,etc,root,tmp,proc,sys,dev,usr/local/bin,workspace/Victoria}
    chmod 1777 "$R/tmp"
    cp "$BUSYBOX" "$R/bin/busybox"
    for app in $("$R/bin/busybox" --list); do
        [ "$app" = busybox ] || ln -s busybox "$R/bin/$app"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$R/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
    tar -C "$R" --numeric-owner --owner=0 --group=0 -cf - . |
        "${RT[@]}" import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin:/usr/local/bin' - "$BASE" >/dev/null 2>"$WORK/import.err" ||
        { cat "$WORK/import.err" >&2; exit 1; }
    echo "build-image: imported $BASE"
fi

# Final image.
CTX=$WORK/ctx
mkdir -p "$CTX"
install -m 0755 "$SCRIPT" "$CTX/fake-victoria.sh"
install -D -m 0755 "$SQLITE" "$CTX/sqlite/usr/local/bin/sqlite3"
for lib in $LIBS; do
    install -D -m 0755 "$lib" "$CTX/sqlite$lib"   # follows symlinks: the file itself, at the path ld.so asks for
done
cp "$HERE/Containerfile" "$CTX/Containerfile"
"${RT[@]}" build -q -f "$CTX/Containerfile" --label "victoria.fake.sha256=$SUM" -t "$IMAGE" "$CTX" >/dev/null
echo "build-image: built $IMAGE"
NEW_IDS=$("${RT[@]}" image inspect --format '{{.Id}}' "$IMAGE" "$BASE" 2>/dev/null || true)
for id in $OLD_IDS; do
    grep -qx "$id" <<<"$NEW_IDS" || "${RT[@]}" rmi "$id" >/dev/null 2>&1 || true
done
