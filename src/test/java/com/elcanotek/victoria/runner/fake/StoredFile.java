package com.elcanotek.victoria.runner.fake;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/** A file on the fake's "disk": {@code sha256} is of the real bytes, whatever is served. */
record StoredFile(byte[] served, String sha256, Duration stall) {

    static StoredFile of(TaskSpec.FileSpec spec) {
        byte[] served = spec.servedBytes() != null ? spec.servedBytes() : spec.bytes();
        return new StoredFile(served, sha256(spec.bytes()), spec.stall());
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
