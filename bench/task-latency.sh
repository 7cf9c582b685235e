#!/usr/bin/env bash
# Measures the latency the runner adds around a task (see bench/README.md).
#
# Usage: bench/task-latency.sh [N]     N tasks, one after another (default 30)
#
# Builds nothing: first `./mvnw package -DskipTests` (the runner jar) and `./mvnw -o -q test-compile`
# (the fake orchestrator and the driver). Needs podman (as for the ITs). Writes target/bench/task-latency.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DRIVER=target/test-classes/com/elcanotek/victoria/runner/bench/TaskLatencyBench.class
if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ ! -f "$DRIVER" ]; then
    echo "task-latency: run './mvnw package -DskipTests' and './mvnw -o -q test-compile' first" >&2
    exit 1
fi
# The test classpath, recomputed only when the pom changed.
if [ ! -s target/cp.txt ] || [ pom.xml -nt target/cp.txt ]; then
    ./mvnw -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
fi
exec java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" \
    com.elcanotek.victoria.runner.bench.TaskLatencyBench "$@"
