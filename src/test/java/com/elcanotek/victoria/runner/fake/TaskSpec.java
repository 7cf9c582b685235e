package com.elcanotek.victoria.runner.fake;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What an admin creates a task with. Files keep their insertion order, which is the order of
 * {@code files} and {@code file_checksums} in the assignment. Extra fields are added to the assignment
 * last, so they may also override a standard field to reproduce a server quirk.
 */
public record TaskSpec(String prompt, Integer timeoutSeconds, Map<String, FileSpec> files,
        Map<String, Object> extraFields) {

    public TaskSpec {
        Objects.requireNonNull(prompt, "prompt");
        // Not Map.copyOf: the order matters and extra field values may be null.
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
        extraFields = Collections.unmodifiableMap(new LinkedHashMap<>(extraFields));
    }

    /**
     * One task file. {@code bytes} null: listed in the assignment but absent on the server (404).
     * {@code advertisedChecksum} null: the SHA-256 of {@code bytes}. {@code servedBytes} null: {@code bytes}.
     * {@code stall} null: no pause in the middle of the body. {@code cuts}: how many downloads of it are cut off
     * in the middle of the body (the connection closed), before it is served whole.
     */
    public record FileSpec(byte[] bytes, String advertisedChecksum, byte[] servedBytes, Duration stall, int cuts) {
    }

    public static Builder builder(String prompt) {
        return new Builder(prompt);
    }

    public static final class Builder {
        private final String prompt;
        private Integer timeoutSeconds;
        private final Map<String, FileSpec> files = new LinkedHashMap<>();
        private final Map<String, Object> extraFields = new LinkedHashMap<>();

        private Builder(String prompt) {
            this.prompt = prompt;
        }

        /** Sent as {@code timeout_seconds}; null (the default) leaves the field out, like the real server. */
        public Builder timeoutSeconds(Integer seconds) {
            this.timeoutSeconds = seconds;
            return this;
        }

        public Builder file(String name, byte[] bytes) {
            files.put(name, new FileSpec(bytes.clone(), null, null, null, 0));
            return this;
        }

        /** A file the assignment lists but the server does not have: downloading it answers 404. */
        public Builder missingFile(String name) {
            files.put(name, new FileSpec(null, null, null, null, 0));
            return this;
        }

        /** The checksum sent in {@code file_checksums}; {@code ""} means the server could not compute it. */
        public Builder advertisedChecksum(String name, String checksum) {
            return change(name, f -> new FileSpec(f.bytes(), checksum, f.servedBytes(), f.stall(), f.cuts()));
        }

        /** Bytes served instead of the file's own (a corrupted download); the checksums stay the file's. */
        public Builder servedBytes(String name, byte[] served) {
            return change(name, f -> new FileSpec(f.bytes(), f.advertisedChecksum(), served.clone(), f.stall(), f.cuts()));
        }

        /** The first {@code times} downloads of the file end after half the body: the connection is closed. */
        public Builder cutMidway(String name, int times) {
            return change(name, f -> new FileSpec(f.bytes(), f.advertisedChecksum(), f.servedBytes(), f.stall(), times));
        }

        /** A pause after the first half of the body has been sent (first download only), for download timeout tests. */
        public Builder stall(String name, Duration stall) {
            return change(name, f -> new FileSpec(f.bytes(), f.advertisedChecksum(), f.servedBytes(), stall, f.cuts()));
        }

        public Builder extra(String field, Object value) {
            extraFields.put(field, value);
            return this;
        }

        public TaskSpec build() {
            return new TaskSpec(prompt, timeoutSeconds, files, extraFields);
        }

        private Builder change(String name, UnaryOperator<FileSpec> change) {
            FileSpec file = files.get(name);
            if (file == null) {
                throw new IllegalArgumentException("add file " + name + " before changing it");
            }
            files.put(name, change.apply(file));
            return this;
        }
    }
}
