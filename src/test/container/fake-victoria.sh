#!/bin/sh
# Stand-in for the Victoria Terminal agent, used by the tests (image localhost/victoria-fake:test,
# built by build-image.sh). POSIX sh, runs under busybox.
#
# Usage (as the runner calls the real agent): fake-victoria --accept-license --task "<prompt>"
#
# Records under /workspace/Victoria/runs/$TASK_ID/:
#   prompt      the prompt, byte-exact
#   argc        number of arguments received
#   env         TASK_ID=, ORCHESTRATOR_URL=, TASK_FILES_DIR=, NODE_API_KEY= and every FAKE_* variable
#   files       "<sha256>  <relative name>" per regular file under $TASK_FILES_DIR (if set and a dir)
#   done        written just before a normal exit (contains the exit code)
#   terminated  written when SIGTERM ended the run (exit 143)
#   term-ignored  appended to each time a SIGTERM was ignored (directive ignore-term)
#
# Directives: whitespace-separated tokens anywhere in the prompt (unknown tokens are ignored):
#   exit=N        exit code (0-255, default 0)
#   sleep=S       sleep S seconds (fractional allowed) before exiting; SIGTERM ends it (exit 143)
#   ignore-term   ignore SIGTERM (only SIGKILL stops it)
#   print=WORD    print WORD on stdout
#   write=REL     write /workspace/Victoria/REL containing the task id
#   stderr=WORD   print WORD on stderr

VHOME=/workspace/Victoria

if [ "$#" -ne 3 ] || [ "$1" != "--accept-license" ] || [ "$2" != "--task" ]; then
    echo "fake-victoria: expected exactly: --accept-license --task <prompt> (got $# arguments)" >&2
    exit 64
fi
PROMPT=$3

# Task id as a single path component.
TID=${TASK_ID:-no-task-id}
TID=$(printf '%s' "$TID" | tr '/' '_')
case "$TID" in ''|.|..) TID=no-task-id ;; esac
RUN_DIR=$VHOME/runs/$TID

mkdir -p "$RUN_DIR" || { echo "fake-victoria: cannot create $RUN_DIR" >&2; exit 70; }
printf '%s' "$PROMPT" > "$RUN_DIR/prompt"
echo "$#" > "$RUN_DIR/argc"
{
    printf 'TASK_ID=%s\n' "${TASK_ID-}"
    printf 'ORCHESTRATOR_URL=%s\n' "${ORCHESTRATOR_URL-}"
    printf 'TASK_FILES_DIR=%s\n' "${TASK_FILES_DIR-}"
    printf 'NODE_API_KEY=%s\n' "${NODE_API_KEY-}"
    env | grep '^FAKE_' | sort
} > "$RUN_DIR/env"
: > "$RUN_DIR/files"
if [ -n "${TASK_FILES_DIR-}" ] && [ -d "$TASK_FILES_DIR" ]; then
    ( cd "$TASK_FILES_DIR" && find . -type f | sed 's|^\./||' | sort | while IFS= read -r f; do
        sha256sum "$f"
    done ) > "$RUN_DIR/files"
fi

# Parse directives (no eval, no globbing: the prompt is data).
CODE=0
SLEEP=
IGNORE_TERM=0
set -f
for tok in $PROMPT; do
    case "$tok" in
        exit=*)
            v=${tok#exit=}
            case "$v" in ''|*[!0-9]*) ;; *) [ "$v" -le 255 ] && CODE=$v ;; esac ;;
        sleep=*)
            v=${tok#sleep=}
            case "$v" in ''|*[!0-9.]*) ;; *) SLEEP=$v ;; esac ;;
        ignore-term) IGNORE_TERM=1 ;;
        print=*) printf '%s\n' "${tok#print=}" ;;
        stderr=*) printf '%s\n' "${tok#stderr=}" >&2 ;;
        write=*)
            rel=${tok#write=}
            if [ -n "$rel" ]; then
                mkdir -p "$(dirname "$VHOME/$rel")" && printf '%s\n' "${TASK_ID-}" > "$VHOME/$rel"
            fi ;;
    esac
done
set +f

if [ "$IGNORE_TERM" = 1 ]; then
    trap 'echo "fake-victoria: SIGTERM ignored" >&2; date +%s >> "$RUN_DIR/term-ignored"' TERM
else
    trap 'echo terminated > "$RUN_DIR/terminated"; exit 143' TERM
fi

if [ -n "$SLEEP" ]; then
    # Background sleep + wait: a trapped signal interrupts `wait` at once (also as PID 1).
    sleep "$SLEEP" &
    SPID=$!
    while kill -0 "$SPID" 2>/dev/null; do
        wait "$SPID"
    done
fi

echo "$CODE" > "$RUN_DIR/done"
exit "$CODE"
