package com.elcanotek.victoria.runner.network;

import java.util.Map;

/**
 * How the runner reaches out: through which proxy, trusting which authorities, and whether task containers get the
 * same authorities ({@code --ca-to-containers}). Built once at start: the REST client is, too.
 */
public record NetworkSettings(ProxySettings proxy, Trust trust, boolean caToContainers) {

    /** No proxy, the JVM's and the system's authorities: what a runner given nothing uses. */
    public static NetworkSettings direct() {
        return new NetworkSettings(ProxySettings.NONE, Trust.of(null, false, Map.of()), false);
    }
}
