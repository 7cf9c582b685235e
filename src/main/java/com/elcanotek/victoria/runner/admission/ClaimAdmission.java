package com.elcanotek.victoria.runner.admission;

import java.util.List;
import java.util.Optional;

/**
 * Whether this host may claim a task now: every gate (a drain, the host breaker, the image, the engine, free disk)
 * asked in order, the cheap ones first. The loop asks right before each claim; readiness, {@code status} and
 * systemd's status line read why not.
 */
public final class ClaimAdmission {

    private final List<ClaimGate> gates;

    /** @param gates in the order they are asked: a gate that asks the engine last, as it costs a CLI call */
    public ClaimAdmission(List<ClaimGate> gates) {
        this.gates = List.copyOf(gates);
    }

    /** Asks each gate afresh, stopping at the first that holds claims back. */
    public boolean admits() {
        return gates.stream().allMatch(ClaimGate::admitsClaim);
    }

    /** Why no task is claimed although slots may be free, as the gates last saw it; empty while claiming. */
    public Optional<String> closedBecause() {
        return gates.stream().map(ClaimGate::closedBecause).flatMap(Optional::stream).findFirst();
    }
}
