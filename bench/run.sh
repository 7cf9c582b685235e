#!/usr/bin/env bash
# The benchmark suite (see bench/README.md): start-up, idle footprint, task latency, throughput and scale of the
# packaged runner, against the fake orchestrator and real podman with the test image.
#
# Usage: bench/run.sh [--quick] [startup|idle|latency|throughput|scale|session|fleet ...]   (all scenarios by default)
#   --quick  shortened windows and sizes, to check that the suite works; its output says so
# Env: BENCH_TUNED_JVM_OPTIONS  JVM options of the `jvm-tuned` launcher instead of the recommended ones
# Prints a table, writes target/bench/results.json and the whole output to target/bench/run.log.
# The full suite takes 30 to 35 minutes (the fleet scenario about 15). Needs podman set up as for the ITs (.ci/setup-podman.sh); builds the jar
# and the test classes when they are missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

ensure_built
mkdir -p target/bench
# Every runner of this run is named (and labels its containers) $BENCH_ID-...: whatever a failure or Ctrl-C
# leaves behind is removed by that label.
BENCH_ID=bench-$$
# The runners' folders (homes, state): removed by the suite when it ends normally, here when it does not.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_ID.XXXXXX")
trap 'remove_runner_containers "$BENCH_ID-*"; rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

java -cp "$(test_classpath)" -Dbench.id="$BENCH_ID" -Dbench.work="$WORK" -Dbench.clk-tck="$(getconf CLK_TCK)" \
    ${BENCH_TUNED_JVM_OPTIONS:+"-Dbench.tuned-jvm-options=$BENCH_TUNED_JVM_OPTIONS"} \
    -Dbench.podman="$(podman version --format '{{.Client.Version}}')" \
    com.elcanotek.victoria.runner.bench.BenchSuite "$@" 2>&1 | tee target/bench/run.log
