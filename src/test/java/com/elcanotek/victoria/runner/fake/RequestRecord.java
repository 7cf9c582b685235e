package com.elcanotek.victoria.runner.fake;

import java.time.Instant;

/** One request the fake answered; {@code path} is percent-decoded, {@code status} -1 if no answer was sent. */
public record RequestRecord(String method, String path, int status, Instant at) {
}
