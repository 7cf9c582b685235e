package com.elcanotek.victoria.runner.driver;

import java.time.Instant;

/**
 * How an instance ended.
 *
 * @param finishedAt when it ended, as the backend says; null when it does not tell
 * @param outOfMemory how the agent came to be killed for passing its memory limit, as an error message says it;
 *                    null when it was not (a stop by the runner is told apart by the runner, which sent it)
 */
public record Exit(int code, Instant finishedAt, String outOfMemory) {
}
