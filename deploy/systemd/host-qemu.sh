# shellcheck shell=bash
# The "real host" of check-under-systemd.sh --host qemu: a stock Debian 12 guest with its own kernel (6.1), systemd
# 252 as PID 1, unified cgroup v2, udev and logind, as every current distribution boots, under QEMU software
# emulation (TCG: this machine's /dev/kvm cannot run guests; one emulated CPU, several times slower than the host,
# a JVM most of all). Sourced; defines what the check needs of a host: HOST_CACHE, HOST_PACKAGES, HOST_FILES,
# ORCHESTRATOR_IN_HOST, PATIENCE, customize_rootfs, host_build, host_boot, in_box, host_up, host_kept, host_teardown.
#
# The guest reaches this machine through one forwarded port and nothing else: 10.0.2.100:8000 in the guest is a
# connection to the fake orchestrator's loopback port (guestfwd=...-cmd:socat, a socat per connection), and
# restrict=on routes nothing else. The check drives the guest over ssh (a hostfwd from 127.0.0.1 into the guest, one
# multiplexed connection), and hands it files on a second, read-only disk.

HOST_CACHE=${GUEST_CACHE:-/var/cache/victoria-runner-guest}
# A Debian 12 host running the package as apt installs podman there (with its Recommends: dbus-user-session), with a
# kernel, udev and kmod as a machine has, and ssh for the check.
HOST_PACKAGES=$COMMON_PACKAGES,linux-image-amd64,udev,kmod,dbus-user-session,libpam-systemd,openssh-server
HOST_FILES=/srv/payload # where PAYLOAD's files appear in the host
# How many times longer than on this machine the check waits for anything to happen in the host: a restart of the
# runner took 80 s there, 5 to 10 s in the system container.
PATIENCE=8
ORCHESTRATOR_IN_HOST=http://10.0.2.100:8000

for tool in qemu-system-x86_64 qemu-img socat ssh ssh-keygen mkfs.ext4; do
    command -v "$tool" >/dev/null ||
        { say "$tool is missing: apt-get install qemu-system-x86 qemu-utils socat openssh-client e2fsprogs"; exit 1; }
done

customize_rootfs() {
    local root=$1
    echo victoria-guest > "$root/etc/hostname"
    printf '127.0.0.1 localhost\n127.0.1.1 victoria-guest\n' > "$root/etc/hosts"
    # The user-mode network's fixed address; no gateway: the guest has nowhere else to go.
    cat > "$root/etc/systemd/network/10-user-net.network" <<'EOF'
[Match]
Name=en* eth*
[Network]
Address=10.0.2.15/24
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF
    chroot "$root" systemctl enable systemd-networkd.service 2>/dev/null
    # Timers that would compete with the check for the one emulated CPU.
    chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer \
        dpkg-db-backup.timer systemd-networkd-wait-online.service 2>/dev/null
    # root over ssh with the cached key only (bash is its shell: in_box quotes for bash)
    install -d -m 0700 "$root/root/.ssh"
    printf 'UseDNS no\nGSSAPIAuthentication no\nPasswordAuthentication no\n' > "$root/etc/ssh/sshd_config.d/check.conf"
    mkdir -p "$root$HOST_FILES"
}

# The cached root file system (keyed by its package list and customize_rootfs), and from it, cached beside it, the
# disk image, kernel, initrd and ssh key the guest boots with. Each run writes to a copy-on-write layer of its own.
host_build() {
    build_rootfs || return 1
    GUEST=$HOST_CACHE/guest-$KEY
    [ -f "$GUEST/disk.img" ] && return 0
    rm -rf "$GUEST.tmp" "$HOST_CACHE"/guest-*
    mkdir -p "$GUEST.tmp"
    ssh-keygen -q -t ed25519 -N '' -C victoria-runner-guest-check -f "$GUEST.tmp/id_ed25519" &&
        cp "$GUEST.tmp/id_ed25519.pub" "$ROOTFS/root/.ssh/authorized_keys" &&
        cp "$(ls "$ROOTFS"/boot/vmlinuz-* | tail -n 1)" "$GUEST.tmp/vmlinuz" &&
        cp "$(ls "$ROOTFS"/boot/initrd.img-* | tail -n 1)" "$GUEST.tmp/initrd.img" &&
        truncate -s 8G "$GUEST.tmp/disk.img" &&
        mkfs.ext4 -q -L guest-root -d "$ROOTFS" "$GUEST.tmp/disk.img" || return 1
    mv "$GUEST.tmp" "$GUEST"
}

GUEST_PID=
SSH_PORT=
# The files of PAYLOAD on a disk of their own, a copy-on-write disk over the cached one, the guest started (its
# console in console.log), ssh answering, the files mounted.
host_boot() {
    local payload=$WORK/payload
    mkdir -p "$payload" && { [ -z "${PAYLOAD[*]}" ] || cp "${PAYLOAD[@]}" "$payload/"; } &&
        truncate -s "$(($(du -sm "$payload" | cut -f1) + 64))M" "$WORK/payload.img" &&
        mkfs.ext4 -q -d "$payload" "$WORK/payload.img" && rm -rf "$payload" &&
        qemu-img create -q -f qcow2 -F raw -b "$GUEST/disk.img" "$WORK/disk.qcow2" || return 1
    SSH_PORT=$(free_port)
    qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 3072 -nodefaults -display none -monitor none \
        -serial "file:$WORK/console.log" \
        -kernel "$GUEST/vmlinuz" -initrd "$GUEST/initrd.img" -append "root=/dev/vda rw console=ttyS0 quiet" \
        -drive "file=$WORK/disk.qcow2,format=qcow2,if=virtio" \
        -drive "file=$WORK/payload.img,format=raw,if=virtio,readonly=on" \
        -nic "user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:$SSH_PORT-10.0.2.15:22,guestfwd=tcp:10.0.2.100:8000-cmd:socat - TCP:127.0.0.1:$FAKE_PORT" \
        > "$WORK/qemu.log" 2>&1 &
    GUEST_PID=$!
    local t0=$SECONDS
    wait_for 600 eval 'host_up && in_box true 2>/dev/null' || { tail -n 30 "$WORK/console.log" "$WORK/qemu.log"; return 1; }
    BOOT_SECONDS=$((SECONDS - t0))
    wait_for 120 eval '[ "$(in_box systemctl is-system-running 2>/dev/null)" = running ]' &&
        in_box mount -o ro /dev/vdb "$HOST_FILES"
}

# COMMAND... run in the guest as root, in / as podman exec does (runuser cannot enter root's home).
in_box() {
    ssh -F /dev/null -i "$GUEST/id_ed25519" -p "$SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o ConnectTimeout=30 -o ServerAliveInterval=30 -o ControlMaster=auto \
        -o "ControlPath=$WORK/ssh-%p" -o ControlPersist=yes root@127.0.0.1 "cd / && $(printf '%q ' "$@")"
}

host_up() { [ -n "$GUEST_PID" ] && kill -0 "$GUEST_PID" 2>/dev/null; }

host_kept() {
    say "kept: guest pid $GUEST_PID; ssh -i $GUEST/id_ed25519 -p $SSH_PORT root@127.0.0.1; then: kill $GUEST_PID && rm -rf $WORK"
}

host_teardown() {
    [ -n "$GUEST_PID" ] || return 0
    ssh -o "ControlPath=$WORK/ssh-$SSH_PORT" -O exit root@127.0.0.1 >/dev/null 2>&1 || true
    kill "$GUEST_PID" 2>/dev/null && wait "$GUEST_PID" 2>/dev/null
    return 0
}

# A loopback port nothing listens on, for the ssh forward.
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        (: < "/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}
