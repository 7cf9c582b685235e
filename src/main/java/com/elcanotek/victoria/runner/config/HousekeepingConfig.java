package com.elcanotek.victoria.runner.config;

import java.time.Duration;

/**
 * How the daemon keeps its host tidy.
 *
 * @param retention    files of the Victoria home untouched for longer are removed (protected paths aside)
 * @param minFreeDisk  bytes that must stay free in the Victoria home for new tasks to be claimed; 0: no guard
 * @param pruneImages  whether old Victoria images beyond the newest two are removed (after a refresh brought a new
 *                     build, and daily)
 */
public record HousekeepingConfig(Duration retention, long minFreeDisk, boolean pruneImages) {

    public static final long DEFAULT_MIN_FREE_DISK = 2L * 1024 * 1024 * 1024;
    public static final int DEFAULT_RETENTION_DAYS = 15;

    /** The defaults of the command line. */
    public static HousekeepingConfig defaults() {
        return new HousekeepingConfig(Duration.ofDays(DEFAULT_RETENTION_DAYS), DEFAULT_MIN_FREE_DISK, true);
    }
}
