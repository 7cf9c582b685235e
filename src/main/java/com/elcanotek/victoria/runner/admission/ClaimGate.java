package com.elcanotek.victoria.runner.admission;

import java.util.Optional;

/** Something of this host that can hold claiming back: the loop claims only while every gate is open. */
public interface ClaimGate {

    /** Why no task may be claimed now, for readiness and {@code status}; empty while claiming may go on. */
    Optional<String> closedBecause();

    /**
     * Asked by the loop right before each claim. A gate whose {@link #closedBecause} tells what it last saw (so that
     * status and readiness cost nothing) looks afresh here.
     */
    default boolean admitsClaim() {
        return closedBecause().isEmpty();
    }
}
