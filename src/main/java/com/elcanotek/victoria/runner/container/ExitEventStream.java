package com.elcanotek.victoria.runner.container;

import java.util.Optional;

/** A running event stream of the engine: the exits of the containers it was opened for, as they happen. */
public interface ExitEventStream extends AutoCloseable {

    /** Blocks for the next exit; empty once the stream has ended (the CLI exited or was closed). */
    Optional<ExitEvent> next();

    /** Why an ended stream ended, e.g. the CLI's exit code and error message, for the log. */
    String ending() throws InterruptedException;

    /** Ends the stream and the process behind it; idempotent. */
    @Override
    void close();
}
