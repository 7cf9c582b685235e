#!/usr/bin/env bash
# Prepares a Debian 12 machine (root, no systemd as PID 1, no registry) for the tests:
#  1. installs podman & co (+ sqlite3, + Debian's docker.io when there is no dockerd: the docker CLI, and the
#     engine the docker tests start themselves, never as a service; + systemd and rpm for the packaging tests:
#     systemd-analyze verify, rpm -qp; + debootstrap for deploy/systemd/check-under-systemd.sh; + tinyproxy,
#     squid-openssl and openssl for the proxy and TLS tests, which start them themselves: their services are never
#     started here)
#  2. writes /etc/containers/containers.conf with the fixes from PODMAN.md
#  3. clears podman runtime state left over from an earlier boot (/run is on disk here)
#  4. starts the Docker-compatible API on unix:///run/podman/podman.sock (detached)
#  5. builds the test image localhost/victoria-fake:test
#  (+ marks the tests' local registry 127.0.0.1:5055 as plain HTTP for podman: ImageFreshnessIT)
# Idempotent; fast when everything is already in place.
# Env: PODMAN_SOCKET (default /run/podman/podman.sock), SKIP_IMAGE=1 to skip step 5.
set -euo pipefail

SOCK=${PODMAN_SOCKET:-/run/podman/podman.sock}
CONF=/etc/containers/containers.conf
SERVICE_LOG=/var/log/podman-service.log
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

log() { echo "setup-podman: $*"; }

if [ "$(id -u)" != 0 ]; then
    echo "setup-podman: must run as root" >&2
    exit 1
fi

# ---------------------------------------------------------------- 1. packages
PKGS=(podman runc crun conmon netavark aardvark-dns containernetworking-plugins catatonit uidmap
      slirp4netns fuse-overlayfs iptables busybox-static sqlite3 systemd rpm debootstrap docker-registry
      tinyproxy squid-openssl openssl)
missing=()
for p in "${PKGS[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != installed ]; then
        missing+=("$p")
    fi
done
if ! command -v dockerd >/dev/null 2>&1; then
    # dockerd 20.10 and containerd (and the docker CLI where none is on PATH yet): installed, never started here
    # (policy-rc.d below); the tests start an engine of their own (container/DockerEngine). A host with Docker's
    # docker-ce has dockerd already, and docker.io conflicts with it.
    missing+=(docker.io)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    POLICY_CREATED=0
    # No package's service starts here (docker.io's daemon, docker-registry's registry on :5000): the tests
    # start what they need themselves.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        POLICY_CREATED=1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ "$POLICY_CREATED" = 1 ] && rm -f /usr/sbin/policy-rc.d
    # Nor at the next boot of a machine with systemd: a system dockerd would set iptables' FORWARD policy to
    # DROP (cutting podman's bridge networks) and add its docker0 bridge; the proxies would hold their ports.
    systemctl disable docker.service docker.socket squid.service tinyproxy.service >/dev/null 2>&1 || true
else
    log "packages already installed"
fi

# ---------------------------------------------------------------- 2. containers.conf
# This VM lacks CAP_SYS_RESOURCE: podman's default ulimits (1048576) make every run fail.
# Ask for no more than the hard limits we have (and nproc no more than pid_max).
hard_nofile=$(ulimit -Hn)
hard_nproc=$(ulimit -Hu)
pid_max=$(cat /proc/sys/kernel/pid_max)
nofile=1048576
[ "$hard_nofile" != unlimited ] && [ "$hard_nofile" -lt "$nofile" ] && nofile=$hard_nofile
nproc=32768
[ "$pid_max" -lt "$nproc" ] && nproc=$pid_max
[ "$hard_nproc" != unlimited ] && [ "$hard_nproc" -lt "$nproc" ] && nproc=$hard_nproc

NEW_CONF="# Written by .ci/setup-podman.sh (see PODMAN.md)
[containers]
# at most \`ulimit -Hn\` / pid_max: podman's defaults fail without CAP_SYS_RESOURCE
default_ulimits = [\"nofile=${nofile}:${nofile}\", \"nproc=${nproc}:${nproc}\"]

[engine]
# crun refuses the hybrid cgroup layout
runtime = \"runc\"
# no systemd as PID 1
cgroup_manager = \"cgroupfs\"
events_logger = \"file\"
"
CONF_CHANGED=0
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$(printf '%s' "$NEW_CONF")" ]; then
    mkdir -p "$(dirname "$CONF")"
    [ -f "$CONF" ] && ! grep -q 'Written by .ci/setup-podman.sh' "$CONF" && cp "$CONF" "$CONF.orig"
    printf '%s' "$NEW_CONF" > "$CONF"
    CONF_CHANGED=1
    log "wrote $CONF (nofile=$nofile nproc=$nproc runtime=runc cgroupfs events=file)"
else
    log "$CONF already in place"
fi

# The image tests push to and pull from a registry of their own on loopback (docker-registry, started by
# the test itself, not as a service), over plain HTTP: podman must be told that this one is insecure.
REGISTRY_CONF=/etc/containers/registries.conf.d/victoria-runner-tests.conf
NEW_REGISTRY_CONF='# Written by .ci/setup-podman.sh: the local registry of the image tests (ImageFreshnessIT)
[[registry]]
location = "127.0.0.1:5055"
insecure = true
'
if [ ! -f "$REGISTRY_CONF" ] || [ "$(cat "$REGISTRY_CONF")" != "$(printf '%s' "$NEW_REGISTRY_CONF")" ]; then
    mkdir -p "$(dirname "$REGISTRY_CONF")"
    printf '%s' "$NEW_REGISTRY_CONF" > "$REGISTRY_CONF"
    log "wrote $REGISTRY_CONF"
fi

# ---------------------------------------------------------------- 3. stale state
# /run is on disk here: after a reboot podman would trust container states, locks and mounts
# recorded during the previous boot. Podman's marker /run/libpod/alive is written when it
# (re)initialises its state; if it predates this boot, wipe the runtime dirs as a tmpfs /run
# would have been, so podman refreshes (stored containers become "exited"/"created").
btime=$(awk '/^btime/ {print $2}' /proc/stat)
if [ -e /run/libpod/alive ] && [ "$(stat -c %Y /run/libpod/alive)" -lt "$btime" ]; then
    if pgrep -x conmon >/dev/null 2>&1 || pgrep -f 'podman system service' >/dev/null 2>&1; then
        log "WARNING: /run/libpod/alive predates boot but podman processes run; not touching state"
    else
        log "podman runtime state is from an earlier boot: clearing /run/libpod /run/containers /run/runc /run/crun /run/podman"
        rm -rf /run/libpod /run/containers /run/runc /run/crun /run/podman
        find /run/netns -maxdepth 1 -name 'netns-*' -exec umount -l {} \; -exec rm -f {} \; 2>/dev/null || true
    fi
fi

# ---------------------------------------------------------------- 4. API service
ping_sock() {
    if command -v curl >/dev/null 2>&1; then
        curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1
    else
        timeout 5 docker -H "unix://$SOCK" version >/dev/null 2>&1
    fi
}
# A service started from a directory deleted since answers pings but starts no container (see below).
cwd_deleted() {
    local pid
    for pid in $(pgrep -f "podman system service .*unix://$SOCK" || true); do
        case "$(readlink "/proc/$pid/cwd")" in *" (deleted)") return 0 ;; esac
    done
    return 1
}
if ping_sock && [ "$CONF_CHANGED" = 0 ] && ! cwd_deleted; then
    log "API service already answers on unix://$SOCK"
else
    # a service started before the config change must be restarted to pick it up
    for pid in $(pgrep -f "podman system service .*unix://$SOCK" || true); do
        log "stopping old API service (pid $pid)"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    mkdir -p "$(dirname "$SOCK")"
    rm -f "$SOCK"
    # from /: conmon inherits the service's working directory, and every container the API starts fails
    # ("Failed to get working directory", "write child: broken pipe") once that directory is deleted
    (cd / && exec setsid nohup podman system service --time=0 "unix://$SOCK" </dev/null >>"$SERVICE_LOG" 2>&1) &
    for _ in $(seq 100); do ping_sock && break; sleep 0.1; done
    if ! ping_sock; then
        echo "setup-podman: API service did not come up; see $SERVICE_LOG" >&2
        tail -n 20 "$SERVICE_LOG" >&2 || true
        exit 1
    fi
    log "API service started on unix://$SOCK (pid $!, log $SERVICE_LOG)"
fi
docker -H "unix://$SOCK" version --format 'setup-podman: docker CLI {{.Client.Version}} -> server {{.Server.Version}} (API {{.Server.APIVersion}})'

# ---------------------------------------------------------------- 5. test image
if [ "${SKIP_IMAGE:-0}" != 1 ]; then
    "$REPO/src/test/container/build-image.sh" podman | sed 's/^/setup-podman: /'
fi
log "ready: podman $(podman version --format '{{.Client.Version}}'), DOCKER_HOST=unix://$SOCK"
