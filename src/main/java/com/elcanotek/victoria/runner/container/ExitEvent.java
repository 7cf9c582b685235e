package com.elcanotek.victoria.runner.container;

/**
 * The engine's word that a container exited. A hint, not the verdict: {@code container inspect}
 * decides (an event may be replayed, or name an earlier container of the same name).
 *
 * @param exitCode null when the event did not carry one
 */
public record ExitEvent(String id, String name, Integer exitCode) {
}
