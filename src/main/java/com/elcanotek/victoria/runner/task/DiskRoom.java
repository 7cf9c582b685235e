package com.elcanotek.victoria.runner.task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import com.elcanotek.victoria.runner.admission.DiskSpaceGuard;

/**
 * Room on disk for task files, shared by the downloads of every task: a file is taken on only when the free space,
 * less {@code --min-free-disk} and less what the downloads under way still have to write, holds it. The size of a
 * file is known only from its answer's Content-Length (the server has no HEAD for it), so each file claims its room
 * when its answer arrives, before any of its bytes are written, and its bytes are held to that room as they come (an
 * answer without a length, or a longer body than it said, is stopped once it passes the room measured then).
 *
 * <p>Thread-safe: one counter of the bytes promised to downloads under way.
 */
final class DiskRoom {

    private static final long MIB = 1024 * 1024;

    private final DiskSpaceGuard.FreeSpace freeSpace;
    private final long minimumFree;
    /** Bytes that downloads under way said they would write and have not written yet. */
    private final AtomicLong promised = new AtomicLong();

    /** @param minimumFree what must stay free ({@code --min-free-disk}); 0: the disk may fill */
    DiskRoom(DiskSpaceGuard.FreeSpace freeSpace, long minimumFree) {
        this.freeSpace = freeSpace;
        this.minimumFree = Math.max(0, minimumFree);
    }

    /**
     * Claims room for one file's answer in {@code folder}.
     *
     * @param declared the bytes the answer says it holds; negative when it does not say
     * @throws TaskFailure when they do not fit, naming the free space and what keeps it
     */
    Claim claim(String file, long declared, Path folder) {
        long free;
        try {
            free = freeSpace.of(folder);
        } catch (IOException e) {
            throw new TaskFailure("cannot measure the free disk in " + folder + " for file '" + file + "': " + e.getMessage(), e);
        }
        long others = promised.get();
        long room = free - minimumFree - others;
        Claim claim = new Claim(file, free, others, room, Math.max(0, declared));
        if (declared >= 0 && declared > room) {
            claim.refuse(declared);
        }
        promised.addAndGet(claim.outstanding);
        return claim;
    }

    /** One answer's room, until closed. Used by one thread. */
    final class Claim implements AutoCloseable {
        private final String file;
        private final long free;
        private final long others;
        private final long room;
        private long written;
        /** What it said it would write and has not yet. */
        private long outstanding;

        private Claim(String file, long free, long others, long room, long declared) {
            this.file = file;
            this.free = free;
            this.others = others;
            this.room = room;
            this.outstanding = declared;
        }

        /** {@code bytes} more are about to be written. @throws TaskFailure when they pass the room */
        void wrote(long bytes) {
            written += bytes;
            long kept = Math.min(outstanding, bytes);
            outstanding -= kept;
            promised.addAndGet(-kept);
            if (written > room) {
                refuse(written);
            }
        }

        private void refuse(long bytes) {
            throw new TaskFailure("not enough free disk for file '" + file + "' (" + bytes + " bytes" + (bytes == written
                    ? " so far" : "") + "): " + free / MIB + " MiB free in the Victoria home, of which --min-free-disk keeps "
                    + minimumFree / MIB + " MiB" + (others > 0 ? " and other downloads under way need " + others / MIB + " MiB"
                            : ""));
        }

        @Override
        public void close() {
            promised.addAndGet(-outstanding);
            outstanding = 0;
        }
    }
}
