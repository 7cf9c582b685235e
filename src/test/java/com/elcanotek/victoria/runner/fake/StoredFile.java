package com.elcanotek.victoria.runner.fake;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file on the fake's "disk": {@code sha256} is of the real bytes, whatever is served. It counts down the
 * downloads still to cut off, remembers whether it stalled already, and records the Range header of each
 * download ("" for none).
 */
record StoredFile(byte[] served, String sha256, Duration stall, AtomicBoolean stalled, AtomicInteger cutsLeft,
        List<String> ranges) {

    static StoredFile of(TaskSpec.FileSpec spec) {
        byte[] served = spec.servedBytes() != null ? spec.servedBytes() : spec.bytes();
        return new StoredFile(served, sha256(spec.bytes()), spec.stall(), new AtomicBoolean(),
                new AtomicInteger(spec.cuts()), new CopyOnWriteArrayList<>());
    }

    /** Whether this download pauses in the middle: only the first one does. */
    boolean stallsNow() {
        return stall != null && stalled.compareAndSet(false, true);
    }

    /** Whether this download is to be cut off in the middle. */
    boolean cutNow() {
        return cutsLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0;
    }

    /** The checksum an assignment advertises for the file. */
    static String advertised(TaskSpec.FileSpec spec) {
        if (spec.advertisedChecksum() != null) {
            return spec.advertisedChecksum();
        }
        return spec.bytes() == null ? "" : sha256(spec.bytes());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
