# shellcheck shell=bash
# The "real host" of check-under-systemd.sh --host container (the default): a Debian 12 system container on this
# machine (podman run --systemd=always --privileged --network=host --rootfs), systemd 252 as PID 1, sharing this
# machine's kernel and its cgroup layout (hybrid, cgroup v1 controllers here). Quick: about a minute with the root
# file system cached. Sourced; defines what the check needs of a host: HOST_CACHE, HOST_PACKAGES, HOST_FILES,
# ORCHESTRATOR_IN_HOST, PATIENCE, customize_rootfs, host_build, host_boot, in_box, host_up, host_kept, host_teardown.

HOST_CACHE=${ROOTFS_CACHE:-/var/cache/victoria-runner-systemd-test}
HOST_PACKAGES=$COMMON_PACKAGES
HOST_FILES=/srv/payload # where PAYLOAD's files appear in the host
# How many times longer than on this machine the check waits for anything to happen in the host.
PATIENCE=1
NAME=victoria-systemd-check-$$
ORCHESTRATOR_IN_HOST= # the fake's own URL: the container shares this machine's network

# What makes the container a stand-in for a host: systemd skips both of these in a container, a real host has
# them (systemd makes / shared, udev gives the two devices mode 0666), and rootless podman needs them.
customize_rootfs() {
    local root=$1
    echo victoria-systemd-check > "$root/etc/hostname"
    cat > "$root/etc/systemd/system/host-like.service" <<'EOF'
[Unit]
Description=What a real host has and a container does not: / shared, /dev/net/tun and /dev/fuse for everyone
Before=victoria-runner.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/mount --make-rshared /
ExecStart=/bin/chmod 0666 /dev/net/tun /dev/fuse
[Install]
WantedBy=multi-user.target
EOF
    chroot "$root" systemctl enable host-like.service 2>/dev/null
}

host_build() {
    build_rootfs
}

# A working copy of the cached tree with the files of PAYLOAD, booted.
host_boot() {
    cp -a "$ROOTFS" "$WORK/rootfs" && mkdir -p "$WORK/rootfs$HOST_FILES" && cp "${PAYLOAD[@]}" "$WORK/rootfs$HOST_FILES/" || return 1
    podman run -d --name "$NAME" --systemd=always --privileged --network=host --rootfs "$WORK/rootfs" /sbin/init >/dev/null &&
        wait_for 60 eval '[ "$(podman exec "$NAME" systemctl is-system-running 2>/dev/null)" = running ]'
}

in_box() { podman exec -i "$NAME" "$@"; }

host_up() { podman container exists "$NAME" 2>/dev/null; }

host_kept() {
    say "kept: podman exec -it $NAME bash; then: podman rm -f -t 0 $NAME && rm -rf $WORK"
}

host_teardown() {
    podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true # its nested containers are its processes: they go too
}
