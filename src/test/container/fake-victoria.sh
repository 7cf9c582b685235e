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
# Writes a real Crush session into /workspace/Victoria/.crush/crush.db (Crush's CURRENT schema, as
# CrushDbFixture has it; sqlite3 is copied into the image), right after the directives are read, so
# that a run killed later still leaves one: top-level session "session-$TASK_ID" titled
# "task $TASK_ID" with a "user" message whose parts are the prompt as one Crush text part
# ([{"type":"text","data":{"text":"<prompt>"}}]); a normal exit adds an "assistant" message
# "done $TASK_ID" and moves the session's updated_at. Timestamps are unix seconds. When sqlite3
# fails the run goes on (a message on stderr, the same exit code).
#
# Directives: whitespace-separated tokens anywhere in the prompt (unknown tokens are ignored):
#   exit=N        exit code (0-255, default 0)
#   sleep=S       sleep S seconds (fractional allowed) before exiting; SIGTERM ends it (exit 143)
#   wait-for=REL  after any sleep, wait until /workspace/Victoria/REL exists: a test ends the run when it is ready
#                 to (SIGTERM ends it too, exit 143)
#   ignore-term   ignore SIGTERM (only SIGKILL stops it)
#   print=WORD    print WORD on stdout
#   write=REL     write /workspace/Victoria/REL containing the task id
#   stderr=WORD   print WORD on stderr
#   leak=NAME     print "NAME=<its value>" on stderr and add an "assistant" message "NAME is <its value>" to the
#                 session, as an agent that reveals a key it was given would (both right after the session is written)
#   no-session    write no crush.db at all
#   limits        write the limits the container runs under to runs/$TASK_ID/limits, one "NAME VALUE" a line, as
#                 cgroup v2 names them whatever the host has: memory.max (bytes or max), pids.max (a count or
#                 max), cpu.max ("QUOTA PERIOD" in us, or "max PERIOD"), shm (the size of /dev/shm in KiB)
#   eat-memory=MB hold MB megabytes of memory (a pipe into tail, which keeps what it reads); killed by the
#                 container's memory limit, the agent exits as tail did (137)
#   session-from=REL  copy /workspace/Victoria/REL to .crush/crush.db instead of writing a session
#                 (a big or special session a test prepared in the home) and leave it untouched

VHOME=/workspace/Victoria
CRUSH_DB=$VHOME/.crush/crush.db

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
SESSION=write
EAT_MB=
LIMITS=0
WAIT_FOR=
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
        no-session) SESSION=none ;;
        limits) LIMITS=1 ;;
        wait-for=?*) WAIT_FOR=${tok#wait-for=} ;;
        eat-memory=*)
            v=${tok#eat-memory=}
            case "$v" in ''|*[!0-9]*) ;; *) EAT_MB=$v ;; esac ;;
        session-from=?*) SESSION=from; SESSION_FROM=$VHOME/${tok#session-from=} ;;
        leak=*)
            v=${tok#leak=}
            case "$v" in ''|[!A-Za-z_]*|*[!A-Za-z0-9_]*) ;; *) LEAK=$v ;; esac ;;
    esac
done
set +f

# The container's own cgroup is the root of its cgroup namespace: /sys/fs/cgroup (v2), or one folder per controller (v1).
write_limits() {
    cg=/sys/fs/cgroup
    if [ -f $cg/cgroup.controllers ]; then
        mem=$(cat $cg/memory.max 2>/dev/null || echo absent)
        pids=$(cat $cg/pids.max 2>/dev/null || echo absent)
        cpu=$(cat $cg/cpu.max 2>/dev/null || echo absent)
    else
        mem=$(cat $cg/memory/memory.limit_in_bytes 2>/dev/null || echo absent)
        # v1 says "no limit" as the largest page-aligned number
        [ "$mem" = 9223372036854771712 ] && mem=max
        pids=$(cat $cg/pids/pids.max 2>/dev/null || echo absent)
        quota=$(cat $cg/cpu/cpu.cfs_quota_us 2>/dev/null || echo absent)
        [ "$quota" = -1 ] && quota=max
        cpu="$quota $(cat $cg/cpu/cpu.cfs_period_us 2>/dev/null || echo absent)"
    fi
    shm=$(df -k /dev/shm | awk 'NR == 2 { print $2 }')
    printf 'memory.max %s\npids.max %s\ncpu.max %s\nshm %s\n' "$mem" "$pids" "$cpu" "$shm" | tee "$RUN_DIR/limits"
}
[ "$LIMITS" = 0 ] || write_limits

# SQL string literal of $1: quotes doubled (the task id is data too).
sql_quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

# Runs the SQL on stdin against crush.db; on failure says so and returns 1.
crush_sql() {
    # A busy timeout: a home mounted without a per-task .crush folder shares the database between tasks.
    sqlite3 -batch -bail -cmd '.timeout 5000' "$CRUSH_DB" ||
        { echo "fake-victoria: sqlite3 failed to $1 the session in $CRUSH_DB" >&2; return 1; }
}

SID=$(sql_quote "session-$TID")
case "$SESSION" in
    from)
        mkdir -p "$VHOME/.crush" && cp "$SESSION_FROM" "$CRUSH_DB" ||
            echo "fake-victoria: cannot copy $SESSION_FROM to $CRUSH_DB" >&2 ;;
    write)
        now=$(date +%s)
        # The prompt goes in through readfile() of its byte-exact record and json_object() escapes it:
        # arbitrary text never becomes SQL or JSON syntax. IF NOT EXISTS and OR REPLACE: a database
        # already there (a shared home, the same task run again) is added to, not failed on.
        mkdir -p "$VHOME/.crush" && crush_sql write <<EOF || SESSION=failed
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    parent_session_id TEXT,
    title TEXT NOT NULL,
    message_count INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost REAL NOT NULL DEFAULT 0.0,
    updated_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    summary_message_id TEXT);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    parts TEXT NOT NULL DEFAULT '[]',
    model TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    provider TEXT,
    is_summary_message INTEGER DEFAULT 0 NOT NULL);
BEGIN;
INSERT OR REPLACE INTO sessions (id, parent_session_id, title, message_count, created_at, updated_at)
    VALUES ($SID, NULL, $(sql_quote "task $TID"), 1, $now, $now);
INSERT OR REPLACE INTO messages (id, session_id, role, parts, created_at, updated_at, finished_at)
    VALUES ($(sql_quote "$TID-user"), $SID, 'user',
            json_array(json_object('type', 'text', 'data', json_object('text',
                CAST(readfile($(sql_quote "$RUN_DIR/prompt")) AS TEXT)))),
            $now, $now, $now);
COMMIT;
EOF
        ;;
esac

if [ -n "${LEAK-}" ]; then
    # $LEAK is a variable name (checked above), so this eval reads that variable and nothing else.
    eval "LEAKED=\${$LEAK-}"
    printf '%s=%s\n' "$LEAK" "$LEAKED" >&2
    if [ "$SESSION" = write ]; then
        printf '%s is %s' "$LEAK" "$LEAKED" > "$RUN_DIR/leak"
        now=$(date +%s)
        crush_sql leak <<EOF
INSERT OR REPLACE INTO messages (id, session_id, role, parts, created_at, updated_at, finished_at)
    VALUES ($(sql_quote "$TID-leak"), $SID, 'assistant',
            json_array(json_object('type', 'text', 'data', json_object('text',
                CAST(readfile($(sql_quote "$RUN_DIR/leak")) AS TEXT)))),
            $now, $now, $now);
EOF
    fi
fi

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

if [ -n "$WAIT_FOR" ]; then
    while [ ! -e "$VHOME/$WAIT_FOR" ]; do
        sleep 1 &
        wait $!
    done
fi

if [ -n "$EAT_MB" ]; then
    head -c "${EAT_MB}m" /dev/zero | tail >/dev/null
    CODE=$?
fi

if [ "$SESSION" = write ]; then
    now=$(date +%s)
    crush_sql finish <<EOF
BEGIN;
INSERT OR REPLACE INTO messages (id, session_id, role, parts, model, provider, created_at, updated_at, finished_at)
    VALUES ($(sql_quote "$TID-assistant"), $SID, 'assistant',
            json_array(json_object('type', 'text', 'data', json_object('text', $(sql_quote "done $TID")))),
            'fake-model', 'fake', $now, $now, $now);
UPDATE sessions SET message_count = 2, updated_at = $now WHERE id = $SID;
COMMIT;
EOF
fi

echo "$CODE" > "$RUN_DIR/done"
exit "$CODE"
