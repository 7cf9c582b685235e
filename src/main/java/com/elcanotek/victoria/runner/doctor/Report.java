package com.elcanotek.victoria.runner.doctor;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the doctor found: one line per check for people, one JSON object for fleet tools, and the exit status (0 when
 * nothing failed, 1 otherwise).
 *
 * @param user the user the checks ran as (the service's, when the doctor was started as root)
 */
public record Report(@JsonProperty("user") String user, @JsonProperty("checks") List<Check> checks) {

    public Report {
        checks = List.copyOf(checks);
    }

    @JsonProperty("failed")
    public long failed() {
        return count(Check.Result.FAIL);
    }

    @JsonProperty("warnings")
    public long warnings() {
        return count(Check.Result.WARN);
    }

    public int exitStatus() {
        return failed() == 0 ? 0 : 1;
    }

    private long count(Check.Result result) {
        return checks.stream().filter(check -> check.result() == result).count();
    }

    /** {@code ok   network     dns: ...}, a {@code fix:} line under each that has one, and a summary line. */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (Check check : checks) {
            out.append(String.format(Locale.ROOT, "%-4s  %-13s %s: %s%n", check.result().name().toLowerCase(Locale.ROOT)
                    .replace("fail", "FAIL"), check.group(), check.name(), check.why()));
            if (!check.fix().isEmpty()) {
                out.append(String.format(Locale.ROOT, "      %-13s fix: %s%n", "", check.fix()));
            }
        }
        out.append(String.format(Locale.ROOT, "%d checks as %s: %d ok, %d warnings, %d failed%n", checks.size(), user,
                checks.size() - failed() - warnings(), warnings(), failed()));
        return out.toString();
    }

    public String json(ObjectMapper mapper) {
        try {
            return mapper.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the doctor's report", e);
        }
    }
}
