#!/usr/bin/env bash
# Builds the test image localhost/victoria-fake:test (a stand-in for the Victoria Terminal agent)
# without any registry: busybox-static rootfs -> `import` as localhost/victoria-fake-base:test,
# then Containerfile FROM it with fake-victoria.sh as ENTRYPOINT.
#
# Usage: build-image.sh [RUNTIME] [--force]
#   RUNTIME  container CLI, default "podman" (e.g. "docker -H unix:///run/podman/podman.sock";
#            the value is split on spaces)
#   --force  rebuild even if the image exists and is current
# Skips the build when the image exists and carries the sha256 of the current fake-victoria.sh.
set -euo pipefail

RUNTIME_STR=podman
FORCE=0
for a in "$@"; do
    case "$a" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) RUNTIME_STR=$a ;;
    esac
done
read -r -a RT <<<"$RUNTIME_STR"

IMAGE=localhost/victoria-fake:test
BASE=localhost/victoria-fake-base:test
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT=$HERE/fake-victoria.sh
SUM=$(sha256sum "$SCRIPT" | cut -c1-64)

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
cp "$HERE/Containerfile" "$CTX/Containerfile"
"${RT[@]}" build -q -f "$CTX/Containerfile" --label "victoria.fake.sha256=$SUM" -t "$IMAGE" "$CTX" >/dev/null
echo "build-image: built $IMAGE"
NEW_IDS=$("${RT[@]}" image inspect --format '{{.Id}}' "$IMAGE" "$BASE" 2>/dev/null || true)
for id in $OLD_IDS; do
    grep -qx "$id" <<<"$NEW_IDS" || "${RT[@]}" rmi "$id" >/dev/null 2>&1 || true
done
