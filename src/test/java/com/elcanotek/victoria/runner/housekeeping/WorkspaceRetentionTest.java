package com.elcanotek.victoria.runner.housekeeping;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention over a Victoria home whose files have forged ages. */
class WorkspaceRetentionTest {

    private static final Instant NOW = Instant.parse("2026-06-30T12:00:00Z");
    private static final Duration FIFTEEN_DAYS = Duration.ofDays(15);
    private static final String HELD = "abcd1234";

    @TempDir
    Path home;

    private List<Path> old;
    private List<Path> kept;

    @BeforeEach
    void forgeAges() throws IOException {
        old = List.of(
                file("report.csv", 20),
                file("tasks/0000aaaa/files/input.pdf", 16),
                file("tasks/0000aaaa/output/result.json", 30),
                file("scratch/deep/nested/tmp.bin", 100));
        kept = List.of(
                file("recent.txt", 3),
                file("tasks/0000bbbb/files/fresh.pdf", 14),
                // protected, however old
                file("protocols/p1.md", 400), file("forecasting_data/series.csv", 400), file(".env", 400),
                file("VICTORIA.md", 400), file("email_last_checked.txt", 400), file(".crush/crush.db", 400),
                file(".cache/pip/wheel.whl", 400),
                // the folder of a task still held
                file("tasks/" + HELD + "/files/big-input.bin", 60), file("tasks/" + HELD + "/partial.txt", 60));
    }

    private Path file(String relative, int ageDays) throws IOException {
        Path file = home.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, relative);
        Files.setLastModifiedTime(file, FileTime.from(NOW.minus(Duration.ofDays(ageDays))));
        return file;
    }

    private WorkspaceRetention retention() {
        return new WorkspaceRetention(home, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void removesOldFilesButNeverProtectedPathsOrAHeldTasksFolder() throws IOException {
        WorkspaceRetention.Result result = retention().sweep(FIFTEEN_DAYS, Set.of(HELD), false);

        assertThat(result.files()).containsExactlyInAnyOrderElementsOf(old);
        assertThat(result.bytes()).isEqualTo(old.stream().mapToLong(p -> home.relativize(p).toString().length()).sum());
        assertThat(old).allMatch(p -> !Files.exists(p));
        assertThat(kept).allMatch(Files::exists);
        // folders the sweep emptied go too; the home and folders still holding something stay
        assertThat(home.resolve("scratch")).doesNotExist();
        assertThat(home.resolve("tasks/0000aaaa")).doesNotExist();
        assertThat(home.resolve("tasks/0000bbbb/files")).isDirectory();
        assertThat(home).isDirectory();
    }

    @Test
    void dryRunListsTheSameFilesAndDeletesNothing() throws IOException {
        WorkspaceRetention.Result result = retention().sweep(FIFTEEN_DAYS, Set.of(HELD), true);

        assertThat(result.files()).containsExactlyInAnyOrderElementsOf(old);
        assertThat(old).allMatch(Files::exists);
        assertThat(kept).allMatch(Files::exists);
    }

    @Test
    void withoutTheTaskHeldItsOldFolderGoesLikeAnyOther() throws IOException {
        retention().sweep(FIFTEEN_DAYS, Set.of(), false);

        assertThat(home.resolve("tasks/" + HELD)).doesNotExist();
        assertThat(home.resolve("protocols/p1.md")).exists();
    }

    @Test
    void anOldSymbolicLinkIsRemovedAsALinkAndItsTargetOutsideIsUntouched(@TempDir Path outside) throws IOException {
        Path target = Files.writeString(outside.resolve("precious.txt"), "keep me");
        Files.setLastModifiedTime(target, FileTime.from(NOW.minus(Duration.ofDays(90))));
        Path link = Files.createSymbolicLink(home.resolve("link-to-outside"), target);
        Files.getFileAttributeView(link, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(NOW.minus(Duration.ofDays(90))), null, null);

        retention().sweep(FIFTEEN_DAYS, Set.of(), false);

        assertThat(target).exists().hasContent("keep me");
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    /**
     * An agent writes into the home while the sweep runs, and may swap a folder of old files for a link to another
     * folder of old files over and over: a sweep that deletes by path sooner or later deletes through the link. Each
     * sweep here meets many swaps; the files where the link points must all survive.
     */
    @Test
    void aFolderSwappedForALinkWhileTheSweepRunsNeverHasTheSweepDeleteWhereTheLinkPoints(@TempDir Path outside)
            throws Exception {
        List<Path> precious = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Path file = Files.writeString(outside.resolve("f" + i), "keep me");
            Files.setLastModifiedTime(file, FileTime.from(NOW.minus(Duration.ofDays(90))));
            precious.add(file);
        }
        Path swapped = home.resolve("scratch/swapped");
        Path aside = home.resolve("scratch/aside");
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread agent = new Thread(() -> {
            while (running.get()) {
                try {
                    if (!Files.isDirectory(swapped, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(swapped);
                        for (int i = 0; i < 200; i++) {
                            file("scratch/swapped/f" + i, 90);
                        }
                    }
                    Files.move(swapped, aside);
                    Files.createSymbolicLink(swapped, outside);
                    Thread.sleep(1);
                    Files.delete(swapped);
                    Files.move(aside, swapped);
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException raced) {
                    // the sweep removed what the agent was moving: it starts over
                }
            }
        });
        agent.start();
        try {
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            for (int sweeps = 0; sweeps < 300 && System.nanoTime() < end; sweeps++) {
                retention().sweep(FIFTEEN_DAYS, Set.of(), false);
            }
        } finally {
            running.set(false);
            agent.join();
        }

        assertThat(precious).allMatch(Files::exists);
    }

    @Test
    void aMissingHomeIsNothingToDo() throws IOException {
        assertThat(new WorkspaceRetention(home.resolve("absent"), Clock.systemUTC()).sweep(FIFTEEN_DAYS, Set.of(), false).files())
                .isEmpty();
    }
}
