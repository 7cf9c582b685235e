package com.elcanotek.victoria.runner.fake;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The "hang" outage: the server still accepts connections and reads requests, but answers none of them, like one
 * too overloaded to get to them. At most one hang at a time. Thread-safe.
 */
final class Hang {

    /** One hang: over once released, or at its deadline if it has one. */
    static final class Episode {
        private final CountDownLatch released = new CountDownLatch(1);
        /** Null: until released. */
        private final Long deadlineNanos;

        private Episode(Duration duration) {
            this.deadlineNanos = duration == null ? null : System.nanoTime() + duration.toNanos();
        }

        private boolean over() {
            return released.getCount() == 0 || deadlineNanos != null && System.nanoTime() - deadlineNanos >= 0;
        }

        /** Blocks the calling request's thread until the hang is over. */
        void await() throws InterruptedException {
            if (deadlineNanos == null) {
                released.await();
            } else {
                released.await(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
        }
    }

    private Episode current;

    /** {@code duration} null: until {@link #release()}. */
    synchronized void start(Duration duration) {
        if (current() != null) {
            // Extending or shortening a hang that holds requests would make their fate depend on timing.
            throw new IllegalStateException("already hanging; release() first");
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("a hang lasts a positive time, not " + duration);
        }
        current = new Episode(duration);
    }

    synchronized void release() {
        if (current != null) {
            current.released.countDown();
            current = null;
        }
    }

    /** The hang a request arriving now falls into, or null when not hanging. */
    synchronized Episode current() {
        if (current != null && current.over()) {
            current = null;
        }
        return current;
    }
}
