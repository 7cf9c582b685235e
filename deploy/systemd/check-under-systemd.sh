#!/usr/bin/env bash
# The packaged service on a real host: systemd as PID 1, real rootless podman, a Debian 12 root file system
# debootstrapped once and cached. It installs target/victoria-runner_*.deb there, points the service at the fake
# orchestrator (run on this machine), and checks, printing PASS/FAIL and timings: a task runs to success and its
# session log arrives; the limits of task containers are the ones the container sees where the host's cgroups allow
# them, and are said not to hold where they do not; an agent passing --memory ends as out of memory; the secrets
# stay out of the journal and the process list; a task container outlives try-restart, a package upgrade, the
# watchdog's kill and stop, and is re-adopted with exactly one final status; reload works; dpkg -r stops the service
# and keeps its state. `systemd-analyze security` gives the exposure score. One set of checks, two kinds of host
# (deploy/systemd/host-KIND.sh):
#   container  a system container on this machine: its kernel and cgroup layout (hybrid, cgroup v1 here); ~1 min
#   qemu       a Debian 12 guest with its own kernel, unified cgroup v2 as every current distribution boots it, under
#              QEMU software emulation; ~25 min (one emulated CPU: a JVM is several times slower there)
#
# Usage: deploy/systemd/check-under-systemd.sh [--host container|qemu] [--upgrade-from REF] [--sweep] [--keep]
#   --host          the kind of host (default container)
#   --upgrade-from  install the package built from git commit REF first (built once, cached), and upgrade it to the
#                   tree's with a task running; without it, the upgrade is to a copy of the tree's package with the
#                   next version. --host qemu defaults to the commit before the last change to the unit or the
#                   package's scripts: what a live host upgrades from when they change
#   --sweep         also tries each hardening directive the unit leaves out, alone in a drop-in, and checks that it
#                   does what the unit's comments say (works, or breaks a task or its re-adoption); ~15 s each
#   --keep          leave the host running at the end, to look around
# Needs: root, podman (.ci/setup-podman.sh), debootstrap, the packages built (./mvnw package -DskipTests); qemu also
# needs qemu-system-x86, qemu-utils and socat.
# Env: ROOTFS_CACHE (container, default /var/cache/victoria-runner-systemd-test), GUEST_CACHE (qemu, default
#      /var/cache/victoria-runner-guest), DEBIAN_MIRROR (default deb.debian.org), TEST_CLASSPATH (the test code's
#      classpath; default: built and computed by bench/lib.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. bench/lib.sh # ensure_built, test_classpath: the fake orchestrator is test code

HOST=container
UPGRADE_FROM=
SWEEP=0
KEEP=0
usage() { sed -n '15,30p' "$0"; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --host) HOST=${2:-}; shift ;;
        --upgrade-from) UPGRADE_FROM=${2:-}; [ -n "$UPGRADE_FROM" ] || usage; shift ;;
        --sweep) SWEEP=1 ;;
        --keep) KEEP=1 ;;
        *) usage ;;
    esac
    shift
done
[ -n "$HOST" ] && [ -f "deploy/systemd/host-$HOST.sh" ] || usage

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
IMAGE=localhost/victoria-fake:test
TOKEN=check-$RANDOM$RANDOM$RANDOM # the fake's; checked to stay out of the journal and ps
# What a Debian 12 host running the package has, plus busybox-static and procps for the checks; each kind adds its own.
COMMON_PACKAGES=systemd,systemd-sysv,dbus,podman,runc,crun,conmon,uidmap,slirp4netns,fuse-overlayfs,netavark,aardvark-dns,containernetworking-plugins,catatonit,iptables,openjdk-17-jre-headless,ca-certificates,busybox-static,procps
# The limits of every task container here, as runner.conf sets them; the check reads them back inside one.
MEMORY=64m MEMORY_BYTES=67108864
CPUS=0.5 CPU_MAX="50000 100000"
PIDS=4096 # the runner's default
SHM=32m SHM_KIB=32768

START=$SECONDS
FAILED=0
say() { echo "check-under-systemd: $*"; }
# grep -q over a pipe stops reading at its first match: the writer then dies of SIGPIPE and, under pipefail, the pipe
# fails although the line was found (a journal longer than a pipe's buffer did so). This grep reads it all.
finds() { grep "$@" >/dev/null; }
# check NAME COMMAND...: runs COMMAND, prints PASS/FAIL with its duration; a failure is counted, not fatal.
check() {
    local name=$1 t0=$SECONDS rc=0
    shift
    "$@" || rc=$?
    if [ "$rc" = 0 ]; then
        printf 'PASS  %-58s %4ss\n' "$name" $((SECONDS - t0))
    else
        printf 'FAIL  %-58s %4ss\n' "$name" $((SECONDS - t0))
        FAILED=$((FAILED + 1))
        failure_context
    fi
    return 0
}
# What a failed check leaves to go on: the last task's transitions as the fake saw them, the service's last lines.
failure_context() {
    [ -z "${TASK:-}" ] || grep -E "task ${TASK:0:8}" "$WORK/fake.log" 2>/dev/null | sed 's/^/  fake: /'
    host_up && in_box journalctl --no-pager -o short-monotonic -n 25 -u victoria-runner 2>/dev/null | sed 's/^/  journal: /'
    return 0
}
# must NAME COMMAND...: like check, but nothing after it makes sense when it fails.
must() {
    local before=$FAILED
    check "$@"
    [ "$FAILED" = "$before" ] || { say "giving up after: $1"; exit 1; }
}
# Polls COMMAND every 0.2 s for at most SECONDS (times the host's PATIENCE).
wait_for() {
    local deadline=$((SECONDS + $1 * PATIENCE))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

[ "$(id -u)" = 0 ] || { say "must run as root (podman --privileged, debootstrap)"; exit 1; }
command -v debootstrap >/dev/null || { say "debootstrap is missing: apt-get install debootstrap (.ci/setup-podman.sh does)"; exit 1; }
# The host kind: HOST_CACHE, HOST_PACKAGES, HOST_FILES, ORCHESTRATOR_IN_HOST, PATIENCE, customize_rootfs, host_build,
# host_boot, in_box, host_up, host_kept, host_teardown.
. "deploy/systemd/host-$HOST.sh"
# all: the JVM app's; amd64: a native build's. The newest is the last build's.
newest_deb() { ls -t "$1"/victoria-runner_*_all.deb "$1"/victoria-runner_*_amd64.deb 2>/dev/null | head -n 1; }
DEB=$(newest_deb target || true)
[ -n "$DEB" ] || { say "no target/victoria-runner_*_{all,amd64}.deb: ./mvnw package -DskipTests"; exit 1; }
# SystemdServiceIT runs this in the middle of a build: it gives the classpath, as nothing may be rebuilt then.
if [ -n "${TEST_CLASSPATH:-}" ]; then
    test_classpath() { echo "$TEST_CLASSPATH"; }
else
    ensure_built
fi

# ---------------------------------------------------------------- the host's root file system, cached
KEY=$( { echo "bookworm $HOST_PACKAGES"; declare -f customize_rootfs; } | sha256sum | cut -c1-12)
ROOTFS=$HOST_CACHE/rootfs-$KEY
build_rootfs() {
    [ -d "$ROOTFS" ] && return 0
    mkdir -p "$HOST_CACHE"
    rm -rf "$ROOTFS.tmp" "$HOST_CACHE"/rootfs-* # earlier package lists' trees too: 700 MB and more each
    debootstrap --variant=minbase --include="$HOST_PACKAGES" bookworm "$ROOTFS.tmp" "$MIRROR" > "$HOST_CACHE/debootstrap.log" 2>&1 ||
        { tail -n 20 "$HOST_CACHE/debootstrap.log"; return 1; }
    customize_rootfs "$ROOTFS.tmp"
    chroot "$ROOTFS.tmp" apt-get clean
    mv "$ROOTFS.tmp" "$ROOTFS" # only a complete tree is ever used
}
must "rootfs $ROOTFS ($( [ -d "$ROOTFS" ] && echo cached || echo debootstrap))" host_build

# ---------------------------------------------------------------- the package upgraded from
if [ -z "$UPGRADE_FROM" ] && [ "$HOST" = qemu ]; then
    UPGRADE_FROM=$(git log -1 --format=%H -- deploy/systemd/victoria-runner.service deploy/packaging/control)^
fi
# The package built from $UPGRADE_FROM, once: a scratch tree from git archive, ./mvnw package there.
build_previous() {
    local commit tree rc=0
    commit=$(git rev-parse --verify "$UPGRADE_FROM^{commit}") || return 1
    PREVIOUS_DEB=/var/cache/victoria-runner-packages/victoria-runner-${commit:0:12}.deb
    [ -f "$PREVIOUS_DEB" ] && return 0
    tree=$(mktemp -d /var/tmp/victoria-runner-previous.XXXXXX)
    git archive "$commit" | tar -x -C "$tree" &&
        (cd "$tree" && ./mvnw -B -ntp -q package -DskipTests > build.log 2>&1 || { tail -n 30 build.log; exit 1; }) &&
        mkdir -p "${PREVIOUS_DEB%/*}" && cp "$(newest_deb "$tree"/target)" "$PREVIOUS_DEB.tmp" &&
        mv "$PREVIOUS_DEB.tmp" "$PREVIOUS_DEB" || rc=1
    rm -rf "$tree"
    return $rc
}
[ -z "$UPGRADE_FROM" ] || must "the package of $UPGRADE_FROM, to upgrade from, built" build_previous

# ---------------------------------------------------------------- clean-up, whatever happens
WORK=$(mktemp -d /var/tmp/victoria-systemd-check.XXXXXX)
cleanup() {
    trap - EXIT INT TERM
    if [ "$KEEP" = 1 ] && host_up; then
        host_kept
    else
        host_teardown
        rm -rf "$WORK"
    fi
    [ -z "${FAKE_PID:-}" ] || kill "$FAKE_PID" 2>/dev/null || true
    exec 7>&- 2>/dev/null || true
    say "$FAILED check(s) failed; $((SECONDS - START)) s in all"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- the fake orchestrator, on this machine
# It queues a task per line written to fd 7 and prints each task's transitions to fake.log.
mkfifo "$WORK/prompts"
# The orchestrator's 5-minute lease, times the host's PATIENCE: the upgrade restarts the runner beside postinst's
# class-data-sharing archive, which took the guest 5 minutes and more on a loaded machine; the lease ran out, and the
# fake handed the task out again.
java -cp "$(test_classpath)" -Dfake.lease=PT$((5 * PATIENCE))M com.elcanotek.victoria.runner.fake.FakeOrchestrator 0 "$TOKEN" - \
    < "$WORK/prompts" > "$WORK/fake.log" 2>&1 &
FAKE_PID=$!
exec 7> "$WORK/prompts"
wait_for 30 grep -qs 'listening on' "$WORK/fake.log" || { cat "$WORK/fake.log"; exit 1; }
URL=$(sed -n 's/.*listening on //p' "$WORK/fake.log")
FAKE_PORT=${URL##*:}
URL_IN_HOST=${ORCHESTRATOR_IN_HOST:-$URL}

# queue PROMPT: the new task's id in $TASK
queue() {
    local before
    before=$(grep -c '^queued task' "$WORK/fake.log" || true)
    echo "$1" >&7
    wait_for 10 eval '[ "$(grep -c "^queued task" "$WORK/fake.log")" -gt "$before" ]'
    TASK=$(sed -n 's/^queued task //p' "$WORK/fake.log" | tail -n 1)
}
# task_is STATE: the fake has printed that $TASK reached STATE (running, success, error)
task_is() { grep -q "  task ${TASK:0:8}  $1" "$WORK/fake.log"; }
# one_final [SECONDS]: one final status for $TASK, in $FINAL ("success: completed", "error: out of memory ...")
one_final() {
    wait_for "${1:-60}" eval 'task_is success || task_is error' || return 1
    sleep 2 # a second final report would come right after the first
    [ "$(grep -cE "  task ${TASK:0:8}  (success|error)" "$WORK/fake.log")" = 1 ] &&
        FINAL=$(sed -n -E "s/.*  task ${TASK:0:8}  ((success|error).*)/\1/p" "$WORK/fake.log")
}
# One final status for $TASK, and it is success.
one_success() { one_final "$@" && task_is success; }
# The id of $TASK's running container, from its conmon's command line: a podman call from outside the service
# could make podman's pause process outside the service's sandbox, and the service's podman would then join it.
container_id() {
    in_box ps -eo args | sed -n "s/^\/usr\/bin\/conmon .*-c \([0-9a-f]*\) .*-n victoria-${TASK:0:8} .*/\1/p"
}
# Queues a task that runs until release_task and waits until its container runs: its id in $CONTAINER. No time of
# its own: a restart on a busy host, or an upgrade that makes the class-data-sharing archive under emulation, takes
# minutes, and a task that had ended by then would rightly be reported as having exited while the runner was down,
# not re-adopted.
start_long_task() {
    RELEASE=release/$RANDOM$RANDOM
    queue "wait-for=$RELEASE exit=0"
    wait_for 30 eval '[ -n "$(container_id)" ]' || return 1
    CONTAINER=$(container_id)
}
# Ends the task of start_long_task: the agent exits 0 once the file it waits for is in the Victoria home.
release_task() {
    in_box sh -c "mkdir -p /var/lib/victoria-runner/Victoria/release && touch /var/lib/victoria-runner/Victoria/$RELEASE"
}
main_pid() { in_box systemctl show -P MainPID victoria-runner; }
service_active() { [ "$(in_box systemctl is-active victoria-runner)" = active ]; }
# The container of the running task is the same one, still running, supervised again by a new runner process.
readopted() {
    local old=$1 pid
    wait_for 30 eval 'service_active && pid=$(main_pid) && [ "$pid" != "$old" ] &&
        in_box journalctl --no-pager -o cat "_PID=$pid" | finds "still running after the restart"' &&
        [ "$(container_id)" = "$CONTAINER" ]
}

# ---------------------------------------------------------------- boot, install, configure, start
say "working files in $WORK"
# What the host is handed: the test image, the tree's package and the one it is upgraded from, or a copy of the
# tree's with the next version (dpkg then runs every upgrade script: prerm, preinst, postinst configure OLD).
# Built (a no-op when the image is this tree's) and saved at once: the image name is shared by every checkout here.
src/test/container/build-image.sh podman >/dev/null && podman save -q -o "$WORK/image.tar" "$IMAGE" 2>/dev/null
cp "$DEB" "$WORK/victoria-runner.deb"
if [ -n "$UPGRADE_FROM" ]; then
    cp "$PREVIOUS_DEB" "$WORK/victoria-runner-previous.deb"
    FIRST_DEB=victoria-runner-previous.deb
    UPGRADE_DEB=victoria-runner.deb
else
    dpkg-deb -R "$DEB" "$WORK/deb" && sed -i 's/^Version: .*/&.1/' "$WORK/deb/DEBIAN/control" &&
        dpkg-deb -b -Zgzip -z1 "$WORK/deb" "$WORK/victoria-runner-next.deb" >/dev/null && rm -rf "$WORK/deb"
    FIRST_DEB=victoria-runner.deb
    UPGRADE_DEB=victoria-runner-next.deb
fi
UPGRADE_VERSION=$(dpkg-deb -f "$WORK/$UPGRADE_DEB" Version)
PAYLOAD=("$WORK"/*.deb "$WORK/image.tar")
boot() { host_boot && [ "$(in_box ps -p 1 -o comm=)" = systemd ] && rm -f "${PAYLOAD[@]}"; }
must "boot: systemd is PID 1, system running" boot
CGROUP=$(in_box stat -fc %T /sys/fs/cgroup)
say "host: $(in_box uname -r), $([ "$CGROUP" = cgroup2fs ] && echo "cgroup v2" || echo "cgroup v1 ($CGROUP)")${BOOT_SECONDS:+, ssh answered $BOOT_SECONDS s after QEMU started}"

installed() {
    in_box dpkg -i "$HOST_FILES/$FIRST_DEB" >/dev/null &&
        in_box grep -q '^victoria-runner:[0-9]*:65536$' /etc/subuid &&
        [ "$(in_box stat -c '%a %U' /var/lib/victoria-runner)" = "700 victoria-runner" ]
}
must "dpkg -i $FIRST_DEB: user, subordinate ids, state directory" installed

# point_at URL: the orchestrator URL and the token in runner.env, through stdin: the token must not reach a command line
point_at() {
    printf 'VICTORIA_RUNNER_ORCHESTRATOR_URL=%s\nVICTORIA_RUNNER_REGISTRATION_TOKEN=%s\n' "$1" "$TOKEN" |
        in_box sh -c 'cat > /etc/victoria-runner/runner.env'
}
configure() {
    # first at a port where nothing listens: the unit must stay activating until the runner registers
    point_at http://127.0.0.1:9
    printf 'name = systemd-check\ncontainer-image = %s\npoll-interval = 1\nmanagement-port = off\nmemory = %s\ncpus = %s\nshm-size = %s\n' \
        "$IMAGE" "$MEMORY" "$CPUS" "$SHM" | in_box sh -c 'cat >> /etc/victoria-runner/runner.conf'
    # The image goes into the user's storage before the service starts, with the service's runtime directory:
    # podman's first run records it in the user's database, and later runs keep using the recorded one. Its pause
    # process is then ended: the service's podman must make its own, inside the service's sandbox.
    in_box sh -ec "cd /; install -d -o victoria-runner -g victoria-runner -m 0700 /run/victoria-runner
        runuser -u victoria-runner -- env XDG_RUNTIME_DIR=/run/victoria-runner podman load -q -i $HOST_FILES/image.tar >/dev/null 2>&1"
    end_pause_process
}
# Ends the user's podman pause process (KillMode=process lets it outlive the service), so that the next podman
# call makes a new one in its own context.
end_pause_process() {
    in_box sh -c 'p=/run/victoria-runner/libpod/tmp/pause.pid; [ ! -s $p ] || kill "$(cat $p)" 2>/dev/null; rm -f $p'
}
must "configure, load the test image as victoria-runner" configure
status_text() { in_box systemctl show -P StatusText victoria-runner; }
# Type=notify: READY=1 comes once registered and reconciled, so an orchestrator that cannot be reached keeps the unit
# activating (TimeoutStartSec=infinity), with the runner saying why in `systemctl status`.
activating_until_registered() {
    in_box systemctl enable --now --no-block victoria-runner 2>/dev/null &&
        wait_for 20 eval 'status_text | finds "registering with http://127.0.0.1:9"' && sleep 5 &&
        [ "$(in_box systemctl is-active victoria-runner)" = activating ] &&
        in_box test ! -e /var/lib/victoria-runner/credentials.json &&
        point_at "$URL_IN_HOST" && in_box systemctl restart victoria-runner && service_active &&
        in_box test -s /var/lib/victoria-runner/credentials.json
}
must "Type=notify: activating while it cannot register, active once registered" activating_until_registered

TASK_SECONDS=?
first_task() {
    local t0=$SECONDS
    queue "exit=0" && one_success 60 && grep -q "  task ${TASK:0:8}  session log received: \"task $TASK\"" "$WORK/fake.log" &&
        TASK_SECONDS=$((SECONDS - t0))
}
must "a task runs to success, its session log arrives (rootless podman)" first_task
say "a task of no work took $TASK_SECONDS s from queued to its final status"

UPGRADE_SECONDS=?
upgrade_readopts() {
    local old t0
    start_long_task || return 1
    old=$(main_pid)
    t0=$SECONDS
    in_box dpkg -i "$HOST_FILES/$UPGRADE_DEB" >/dev/null && UPGRADE_SECONDS=$((SECONDS - t0)) &&
        readopted "$old" && release_task && one_success 40 &&
        [ "$(in_box dpkg-query -W -f '${Version}' victoria-runner)" = "$UPGRADE_VERSION" ]
}
UPGRADE_CHECK="package upgrade ${UPGRADE_FROM:+from $UPGRADE_FROM }with a task running: re-adopted, one final status"
# From the previous package first: every later check is of the tree's package. Podman's stored paths must survive
# it: a new task after it runs (and, on cgroup v2, under its limits).
upgrade() {
    check "$UPGRADE_CHECK" upgrade_readopts
    say "dpkg -i of the upgrade took $UPGRADE_SECONDS s"
}
[ -z "$UPGRADE_FROM" ] || upgrade

# ---------------------------------------------------------------- limits
# Where the host's cgroups let rootless podman enforce them (cgroup v2, the user's systemd instance), the limits are
# the ones the container sees; where they do not (cgroup v1), the runner says so, and shm-size holds all the same.
ENFORCED=$([ "$CGROUP" = cgroup2fs ] && echo yes || echo no)
limits_seen() {
    local run=/var/lib/victoria-runner/Victoria/runs
    queue "limits exit=0" && one_success 60 || return 1
    SEEN=$(in_box cat "$run/$TASK/limits" | tr '\n' ';')
    say "limits inside the container: ${SEEN//;/, }"
    if [ "$ENFORCED" = yes ]; then
        [ "$SEEN" = "memory.max $MEMORY_BYTES;pids.max $PIDS;cpu.max $CPU_MAX;shm $SHM_KIB;" ]
    else
        [[ $SEEN == "memory.max max;"*"cpu.max max "*"shm $SHM_KIB;" ]]
    fi
}
check "limits: the container sees --memory $MEMORY --cpus $CPUS --pids-limit $PIDS --shm-size $SHM$([ "$ENFORCED" = yes ] || echo " (shm only: cgroup v1)")" limits_seen
limits_said() {
    local said
    said=$(in_box victoria-runner status | sed -n 's/^Limits: *//p')
    if [ "$ENFORCED" = yes ]; then
        [ -z "$said" ] && ! in_box journalctl -u victoria-runner --no-pager -o cat | finds "Task container limits not enforced"
    else
        say "status: Limits: $said"
        [[ $said == "not enforced on this host (rootless podman, cgroup v1, "*"--memory $MEMORY, --cpus $CPUS, --pids-limit $PIDS;"* ]] &&
            in_box journalctl -u victoria-runner --no-pager -o cat | finds "Task container limits not enforced"
    fi
}
check "status and journal say which limits do not hold$([ "$ENFORCED" = yes ] || echo ": these")" limits_said
# An agent holding 256 MB: killed by the memory limit where it holds, and reported as such; where it does not, the
# agent gets its memory, and no 137 is made out to be an out-of-memory kill.
out_of_memory() {
    queue "eat-memory=256 exit=0" && one_final 90 || return 1
    say "the 256 MB task: $FINAL"
    if [ "$ENFORCED" = yes ]; then
        [[ $FINAL == "error: out of memory"*"memory limit of $MEMORY"* ]]
    else
        [ "$FINAL" = "success: completed" ]
    fi
}
check "an agent passing --memory $MEMORY: $([ "$ENFORCED" = yes ] && echo "error, out of memory" || echo "runs on (not enforced)")" out_of_memory

check "systemctl status shows the runner's STATUS= line (node, tasks, contact)" \
    eval 'wait_for 10 eval "status_text | finds -E \"^node [0-9a-f-]+, 0 tasks held, last contact [0-9]+ s ago\""'
rootless() {
    # the service's podman made the pause process (in the service's cgroup, or in a scope of the user's own systemd
    # instance on cgroup v2) and mapped the whole subordinate range into its user namespace (newuidmap worked), not
    # just the user's own id
    in_box sh -c 'p=$(cat /run/victoria-runner/libpod/tmp/pause.pid) &&
        grep -qE "^(1:name=systemd|0:):.*/(victoria-runner\.service|user@[0-9]+\.service/.*)$" /proc/$p/cgroup &&
        cat /proc/$p/uid_map' | awk '{ n += $3 } END { exit !(n == 65537) }'
}
check "the service's podman maps 65537 ids (newuidmap)" rootless
# the package names overlay for the user: rootless podman's own fallback, vfs, copies the whole image per container
overlay() {
    [ "$(in_box runuser -u victoria-runner -- env XDG_RUNTIME_DIR=/run/victoria-runner \
        podman info --format '{{.Store.GraphDriverName}}' 2>/dev/null)" = overlay ]
}
check "the service user's podman stores images with overlay" overlay

secrets_hidden() {
    local key
    key=$(in_box sed -n 's/.*"api_key" *: *"\([^"]*\)".*/\1/p' /var/lib/victoria-runner/credentials.json)
    [ -n "$key" ] || { say "no api_key in credentials.json"; return 1; }
    ! in_box sh -c 'journalctl --no-pager -o cat; ps -eo args; systemctl show victoria-runner' | finds -F -e "$TOKEN" -e "$key"
}
check "token and node key absent from journal, ps, systemctl show" secrets_hidden
SCORE=$(in_box systemd-analyze security --no-pager victoria-runner | sed -n 's/.*Overall exposure level for victoria-runner.service: //p')
say "systemd-analyze security: $SCORE"

# ---------------------------------------------------------------- hardening directives, one at a time
# Each case: what the unit's comments say (works|breaks|either: seen both), then the directives of a drop-in, ';' between lines.
SWEEP_CASES=(
    "breaks|NoNewPrivileges=yes"
    "breaks|CapabilityBoundingSet="
    "breaks|PrivateUsers=yes"
    "breaks|RestrictNamespaces=yes"
    "breaks|SystemCallFilter=@system-service"
    "breaks|SystemCallArchitectures=native"
    "breaks|RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK"
    "breaks|RestrictRealtime=yes"
    "breaks|RestrictSUIDSGID=yes"
    "breaks|LockPersonality=yes"
    "breaks|MemoryDenyWriteExecute=yes"
    "breaks|PrivateDevices=yes"
    "breaks|ProtectClock=yes"
    "breaks|ProtectHostname=yes"
    "breaks|ProtectKernelTunables=yes"
    "breaks|ProtectKernelModules=yes"
    "breaks|ProtectKernelLogs=yes"
    "breaks|ProcSubset=pid"
    "breaks|PrivateTmp=yes"
    "either|ProtectControlGroups=yes"
    "either|PrivateIPC=yes"
    "breaks|RemoveIPC=yes"
    "works|UMask=0077"
)
DROP_IN=/etc/systemd/system/victoria-runner.service.d/check.conf
# Restarts the service with these drop-in lines (none: the unit as packaged) and a new podman pause process: one
# left from before (KillMode=process keeps it) would lend its namespaces to the service's podman.
restart_with() {
    in_box systemctl stop victoria-runner
    end_pause_process
    if [ -n "$1" ]; then
        printf '[Service]\n%s\n' "${1//;/$'\n'}" | in_box sh -c "mkdir -p ${DROP_IN%/*} && cat > $DROP_IN"
    else
        in_box rm -f "$DROP_IN"
    fi
    in_box systemctl daemon-reload && in_box systemctl start victoria-runner
}
lock_inode() { in_box sh -c 'stat -c %i /dev/shm/libpod_rootless_lock_$(id -u victoria-runner)'; }
# Why a directive breaks the service, or nothing when a task runs and is re-adopted across try-restart.
why_broken() {
    local old
    restart_with "$1" || { echo "the service does not start"; return; }
    start_long_task || { echo "no task container: $(in_box journalctl -u victoria-runner -n 3 -o cat --no-pager | tr '\n' ' ' | cut -c1-200)"; return; }
    rootless || echo "podman maps no subordinate ids (newuidmap failed)"
    old=$(main_pid)
    lock=$(lock_inode)
    in_box systemctl try-restart victoria-runner && readopted "$old" && release_task ||
        { echo "not re-adopted after try-restart"; return; }
    # podman's container locks live in the user's POSIX shared memory; made anew, they are handed out twice
    [ "$(lock_inode)" = "$lock" ] || { echo "podman's lock memory was removed at the stop"; return; }
    one_success 30 || { echo "the task did not end in one success"; return; }
    # a new task after the restart: the new runner's podman calls join the old pause process's namespaces
    queue "exit=0" && one_success 30 || echo "a new task after the restart did not succeed"
}
# sweep_case EXPECTED DIRECTIVES: what was seen in $SEEN, why in $WHY
sweep_case() {
    WHY=$(why_broken "$2")
    SEEN=$([ -z "$WHY" ] && echo works || echo breaks)
    [ "$1" = either ] || [ "$SEEN" = "$1" ]
}
sweep() {
    local case
    for case in "${SWEEP_CASES[@]}"; do
        check "says ${case%%|*}: ${case#*|}" sweep_case "${case%%|*}" "${case#*|}"
        echo "      $SEEN${WHY:+: $WHY}"
        # a broken run may leave its container: the next case starts from none
        in_box runuser -u victoria-runner -- env XDG_RUNTIME_DIR=/run/victoria-runner podman rm -af -t 0 >/dev/null 2>&1 || true
    done
    restart_with ""
}
[ "$SWEEP" = 0 ] || sweep
# ---------------------------------------------------------------- reload, watchdog
# systemctl reload: the same process takes on what can change live, and names what needs a restart.
reload_applies() {
    local pid
    pid=$(main_pid)
    in_box sh -c 'cp /etc/victoria-runner/runner.conf /srv/runner.conf.orig &&
        printf "max-concurrent-tasks = 2\nname = systemd-check-renamed\n" >> /etc/victoria-runner/runner.conf' &&
        in_box systemctl reload victoria-runner &&
        wait_for 10 eval 'in_box journalctl --no-pager -o cat "_PID=$pid" | finds "Reload applied: --max-concurrent-tasks; not applied, as they need a restart (running values kept): --name"' &&
        [ "$(main_pid)" = "$pid" ] && service_active &&
        # two tasks at once now
        queue "sleep=6 exit=0" && local first=$TASK && queue "sleep=6 exit=0" &&
        wait_for 30 eval 'TASK=$first task_is running && task_is running' && one_success 40 && TASK=$first one_success 10 &&
        in_box sh -c 'printf "max-concurrent-tasks = lots\n" >> /etc/victoria-runner/runner.conf' &&
        in_box systemctl reload victoria-runner &&
        wait_for 10 eval 'in_box journalctl --no-pager -o cat "_PID=$pid" | finds "Reload refused, the running settings stay: .*--max-concurrent-tasks"' &&
        [ "$(main_pid)" = "$pid" ] && service_active &&
        in_box sh -c 'cp /srv/runner.conf.orig /etc/victoria-runner/runner.conf' && in_box systemctl reload victoria-runner
}
check "systemctl reload: live options applied, --name named, a broken file refused" reload_applies

# A runner that stops answering (SIGSTOP) no longer pings the watchdog: systemd kills it (WatchdogSignal=SIGKILL) and
# restarts it, and the new runner re-adopts its task. WatchdogSec=5 here (times the host's PATIENCE), to keep this short.
watchdog_restarts() {
    local old
    printf '[Service]\nWatchdogSec=%s\n' $((5 * PATIENCE)) | in_box sh -c "mkdir -p ${DROP_IN%/*} && cat > $DROP_IN" &&
        in_box systemctl daemon-reload && in_box systemctl restart victoria-runner || return 1
    start_long_task || return 1
    old=$(main_pid)
    in_box kill -STOP "$old" &&
        wait_for 40 eval 'in_box journalctl --no-pager -u victoria-runner | finds "Watchdog timeout"' &&
        readopted "$old" && release_task && one_success 60
    local rc=$?
    in_box rm -f "$DROP_IN" && in_box systemctl daemon-reload && in_box systemctl restart victoria-runner
    return $rc
}
check "watchdog: a SIGSTOPped runner is restarted, its task re-adopted, one final status" watchdog_restarts

# ---------------------------------------------------------------- task containers outlive the runner
restart_readopts() {
    local old
    start_long_task || return 1
    old=$(main_pid)
    in_box systemctl try-restart victoria-runner && readopted "$old" && release_task && one_success 40
}
check "try-restart with a task running: re-adopted, one final status" restart_readopts

[ -n "$UPGRADE_FROM" ] || upgrade

STOP_SECONDS=?
stop_leaves_container() {
    local t0
    start_long_task || return 1
    t0=$(date +%s%N)
    in_box systemctl stop victoria-runner || return 1
    STOP_SECONDS=$(awk -v ns=$(($(date +%s%N) - t0)) 'BEGIN { printf "%.1f", ns / 1e9 }')
    [ "$(in_box systemctl show -P Result victoria-runner)" = success ] && [ "$(container_id)" = "$CONTAINER" ]
}
check "systemctl stop: container keeps running, no stop timeout" stop_leaves_container
say "systemctl stop took $STOP_SECONDS s (TimeoutStopSec=$(in_box systemctl show -P TimeoutStopUSec victoria-runner))"
check "systemctl start: the stopped runner's task re-adopted, one final status" \
    eval 'in_box systemctl start victoria-runner && readopted 0 && release_task && one_success 40'

remove_keeps_state() {
    start_long_task || return 1
    in_box dpkg -r victoria-runner >/dev/null && ! service_active &&
        in_box test -s /var/lib/victoria-runner/credentials.json -a -f /etc/victoria-runner/runner.env &&
        [ "$(container_id)" = "$CONTAINER" ]
}
check "dpkg -r: service stopped, state and config kept, container runs on" remove_keeps_state
[ "$FAILED" = 0 ]
