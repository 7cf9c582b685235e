# shellcheck shell=bash
# Shared by bench/run.sh and bench/demo.sh (sourced from the project root): the builds they need, the test
# classpath, and removing the containers of runners that were cut short.

# Builds the runner jar when missing (and warns when it is older than the sources: what is measured is the jar),
# compiles the test classes (the fake orchestrator, the drivers) when missing or older than the sources, and
# writes the test classpath file when missing or older than the pom.
ensure_built() {
    if [ ! -f target/quarkus-app/quarkus-run.jar ]; then
        echo "building the runner: ./mvnw -q package -DskipTests"
        ./mvnw -q -B package -DskipTests
    elif [ -n "$(find src/main pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
        echo "note: target/quarkus-app is older than the sources; './mvnw package -DskipTests' rebuilds it" >&2
    fi
    # The class-data-sharing archive the packages make on install, here for target/: the jvm-tuned launcher uses
    # it as /usr/bin/victoria-runner does. A rebuilt jar invalidates it (the JVM checks the jars' times).
    if [ ! -f target/quarkus-app/app-cds.jsa ] \
            || [ -n "$(find target/quarkus-app -name '*.jar' -newer target/quarkus-app/app-cds.jsa -print -quit)" ]; then
        deploy/packaging/make-cds-archive "$PWD/target/quarkus-app" || true
    fi
    # The stamp is these scripts' own: test classes compiled by another command are compiled again once, cheaply.
    local stamp=target/test-classes/.bench-compiled
    if [ ! -f "$stamp" ] || [ -n "$(find src/main src/test pom.xml -newer "$stamp" -print -quit)" ]; then
        echo "compiling the test classes: ./mvnw -q test-compile"
        ./mvnw -q -B test-compile
        touch "$stamp"
    fi
    if [ ! -s target/cp.txt ] || [ pom.xml -nt target/cp.txt ]; then
        ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
    fi
}

# The classpath of the test code's main classes (java -cp "$(test_classpath)" CLASS).
test_classpath() {
    echo "target/test-classes:target/classes:$(cat target/cp.txt)"
}

# Removes every container, in any state, whose runner label (victoria-runner.runner) matches the glob $1.
remove_runner_containers() {
    local id runner ids=()
    while read -r id runner; do
        # shellcheck disable=SC2053 # $1 is a glob on purpose
        [[ $runner == $1 ]] && ids+=("$id")
    done < <(podman ps -a --filter label=victoria-runner.runner --format '{{.ID}} {{index .Labels "victoria-runner.runner"}}')
    if [ "${#ids[@]}" -gt 0 ]; then
        echo "removing ${#ids[@]} container(s) of runner(s) $1"
        podman rm -f -t 0 "${ids[@]}" >/dev/null
    fi
}
