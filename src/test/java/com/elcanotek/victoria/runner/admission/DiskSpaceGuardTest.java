package com.elcanotek.victoria.runner.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class DiskSpaceGuardTest {

    private static final long GIB = 1024L * 1024 * 1024;
    private static final Path HOME = Path.of("/srv/victoria");

    private final AtomicLong free = new AtomicLong(5 * GIB);
    private final DiskSpaceGuard guard = new DiskSpaceGuard(HOME, 2 * GIB, path -> free.get());

    @Test
    void claimsStopBelowTheMinimumAndResumeWhenSpaceIsBack() {
        assertThat(guard.admitsClaim()).isTrue();
        assertThat(guard.closedBecause()).isEmpty();

        free.set(GIB / 2);
        assertThat(guard.admitsClaim()).isFalse();
        assertThat(guard.closedBecause()).hasValue("free disk space in /srv/victoria is 512 MiB, below the minimum of 2048 MiB");

        free.set(3 * GIB);
        assertThat(guard.admitsClaim()).isTrue();
    }

    @Test
    void zeroTurnsTheGuardOff() {
        free.set(0);
        assertThat(new DiskSpaceGuard(HOME, 0, path -> free.get()).admitsClaim()).isTrue();
    }

    @Test
    void aDiskThatCannotBeMeasuredDoesNotStopClaims() {
        DiskSpaceGuard unmeasurable = new DiskSpaceGuard(HOME, 2 * GIB, path -> {
            throw new IOException("no such file system");
        });
        assertThat(unmeasurable.admitsClaim()).isTrue();
    }

    @Test
    void theRealFileSystemIsMeasured() {
        assertThat(DiskSpaceGuard.of(Path.of(System.getProperty("java.io.tmpdir")), 1).closedBecause()).isEmpty();
        assertThat(DiskSpaceGuard.of(Path.of(System.getProperty("java.io.tmpdir")), Long.MAX_VALUE).closedBecause())
                .hasValueSatisfying(reason -> assertThat(reason).contains("below the minimum"));
    }
}
