package com.elcanotek.victoria.runner.doctor;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One finding of the doctor: what was checked, how it came out, why, and what to do about it.
 *
 * @param group configuration, network, identity, engine or host
 * @param name what was checked within the group, e.g. {@code dns} or {@code file /etc/victoria-runner/runner.env}
 * @param fix what to do; empty when nothing needs doing
 */
public record Check(@JsonProperty("group") String group, @JsonProperty("name") String name,
        @JsonProperty("result") Result result, @JsonProperty("why") String why, @JsonProperty("fix") String fix) {

    /** ok: nothing to do; warn: works, but not as it should; fail: the runner cannot work (or not safely) like this. */
    public enum Result {
        @JsonProperty("ok") OK, @JsonProperty("warn") WARN, @JsonProperty("fail") FAIL
    }

    public static Check ok(String group, String name, String why) {
        return new Check(group, name, Result.OK, why, "");
    }

    public static Check warn(String group, String name, String why, String fix) {
        return new Check(group, name, Result.WARN, why, fix);
    }

    public static Check fail(String group, String name, String why, String fix) {
        return new Check(group, name, Result.FAIL, why, fix);
    }
}
