#!/usr/bin/env bash
# The whole flow on one machine, without any orchestrator of your own (the README's first command):
#  1. sets podman up (.ci/setup-podman.sh, as root) when it is not yet, and builds what is missing;
#  2. starts the development orchestrator on 127.0.0.1:8765 (token dev-registration-token): the stateful fake the
#     end-to-end tests use (test code, not part of the runner), with one task;
#  3. starts the runner as the dev profile configures it (that orchestrator and token), with its own folders under
#     target/demo;
#  4. prints the task's status transitions and its session log as they happen ("orchestrator |"), next to the
#     runner's log ("runner |"); once the task is final, stops the runner, then the orchestrator, and removes what
#     it started, also on Ctrl-C. Exits 0 when the task succeeded.
#
# Usage: bench/demo.sh
# Env:   DEMO_IMAGE    the task's container image; default: the real Victoria Terminal image when it is present or
#                      can be pulled, else the local stand-in localhost/victoria-fake:test (built here, no registry)
#        DEMO_PROMPT   the task's prompt; default: a greeting for the real agent, directives for the stand-in
#        DEMO_TIMEOUT  seconds to wait for the task (default 900)
#        VICTORIA_RUNNER_ENV_FILE  an env file for the container, e.g. the real agent's API keys
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

PORT=8765                     # where application.properties' %dev profile points the runner ...
TOKEN=dev-registration-token  # ... and with which token
REAL_IMAGE=ghcr.io/elcanotek/victoria-terminal:latest
STAND_IN=localhost/victoria-fake:test
DEMO=target/demo
RUNNER_NAME=demo-runner       # not the dev profile's dev-runner: clean-up must not touch a `quarkus:dev` runner's containers

say() { echo "demo: $*"; }

# ---------------------------------------------------------------- 1. podman, Java, builds
if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    if ! grep -qs 'Written by .ci/setup-podman.sh' /etc/containers/containers.conf; then
        say "setting podman up (.ci/setup-podman.sh)"
        bash .ci/setup-podman.sh
    fi
    if ! command -v java >/dev/null; then
        say "installing Java 17 (openjdk-17-jdk-headless)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless >/dev/null
    fi
fi
command -v podman >/dev/null || { say "podman is missing: run this as root on Debian 12, or install podman"; exit 1; }
ensure_built

# ---------------------------------------------------------------- 2. image and prompt
IMAGE=${DEMO_IMAGE:-}
if [ -z "$IMAGE" ]; then
    if podman image exists "$REAL_IMAGE" || { say "pulling $REAL_IMAGE"; podman pull -q "$REAL_IMAGE" >/dev/null 2>&1; }; then
        IMAGE=$REAL_IMAGE
    else
        IMAGE=$STAND_IN
        say "$REAL_IMAGE cannot be pulled here: using the local stand-in agent $STAND_IN"
    fi
fi
if [ "$IMAGE" = "$STAND_IN" ]; then
    src/test/container/build-image.sh >/dev/null
    # The stand-in's directives: print a line, work for 3 seconds, succeed.
    PROMPT=${DEMO_PROMPT:-"print=hello-from-the-container sleep=3 exit=0"}
else
    PROMPT=${DEMO_PROMPT:-"Say hello to the operator in one line."}
fi

# ---------------------------------------------------------------- 3. clean-up, whatever happens
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
if port_open; then
    say "127.0.0.1:$PORT is taken (another development orchestrator?): stop it first"
    exit 1
fi

cleanup() {
    trap - EXIT INT TERM
    if [ -n "${RUNNER_PID:-}" ] && kill -0 "$RUNNER_PID" 2>/dev/null; then
        say "stopping the runner"
        kill -TERM "$RUNNER_PID" 2>/dev/null || true
        for _ in $(seq 150); do kill -0 "$RUNNER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$RUNNER_PID" 2>/dev/null || true
    fi
    if [ -n "${FAKE_PID:-}" ]; then
        kill -TERM "$FAKE_PID" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    # The runner leaves a running task's container to run (it is adopted again on restart): not in a demo.
    remove_runner_containers "$RUNNER_NAME"
    rm -rf "$DEMO"
    say "stopped and cleaned up"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- 4. orchestrator, runner
rm -rf "$DEMO"
mkdir -p "$DEMO"
say "image $IMAGE; its agent writes the Crush session the runner submits"

# Its output is also kept, for its closing line "all N task(s) final: ..." (it serves on until stopped, so that the
# runner is stopped first and does not poll a closed port).
java -cp "$(test_classpath)" com.elcanotek.victoria.runner.fake.FakeOrchestrator "$PORT" "$TOKEN" "$PROMPT" \
    > >(tee "$DEMO/orchestrator.log" | sed -u 's/^/orchestrator | /') 2>&1 &
FAKE_PID=$!
for _ in $(seq 300); do port_open && break; kill -0 "$FAKE_PID" 2>/dev/null || exit 1; sleep 0.1; done

# The dev profile supplies the orchestrator URL and the token, as for `./mvnw quarkus:dev`; the management port is
# any free one, so that the demo cannot clash with a runner already serving health on 9009.
java -Dquarkus.profile=dev -Dquarkus.management.port=0 -jar target/quarkus-app/quarkus-run.jar \
    --name "$RUNNER_NAME" --container-image "$IMAGE" --victoria-home "$DEMO/Victoria" --state-dir "$DEMO/state" \
    > >(sed -u 's/^/runner       | /') 2>&1 &
RUNNER_PID=$!

# ---------------------------------------------------------------- 5. until the task is final
deadline=$((SECONDS + ${DEMO_TIMEOUT:-900}))
until grep -q '^all .* final:' "$DEMO/orchestrator.log"; do
    for pid in "$FAKE_PID" "$RUNNER_PID"; do
        kill -0 "$pid" 2>/dev/null || { say "the orchestrator or the runner ended before the task did"; exit 1; }
    done
    if [ "$SECONDS" -ge "$deadline" ]; then
        say "the task is not final after ${DEMO_TIMEOUT:-900} s"
        exit 1
    fi
    sleep 0.5
done
if grep -q '^all .* 0 failed$' "$DEMO/orchestrator.log"; then
    say "the task succeeded"
else
    say "the task did not succeed"
    exit 1
fi
