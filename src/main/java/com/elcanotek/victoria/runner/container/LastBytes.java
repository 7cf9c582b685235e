package com.elcanotek.victoria.runner.container;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.elcanotek.victoria.runner.driver.Output;

/**
 * Keeps the last bytes written to it, however many go through: a container's log may be far larger than the runner's
 * memory should grow. Confined to one thread.
 */
final class LastBytes extends OutputStream {

    private final byte[] ring;
    private long written;

    LastBytes(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.ring = new byte[capacity];
    }

    @Override
    public void write(int b) {
        ring[(int) (written++ % ring.length)] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        int skipped = Math.max(0, length - ring.length);
        written += skipped;
        int kept = length - skipped;
        int at = (int) (written % ring.length);
        int first = Math.min(kept, ring.length - at);
        System.arraycopy(bytes, offset + skipped, ring, at, first);
        System.arraycopy(bytes, offset + skipped + first, ring, 0, kept - first);
        written += kept;
    }

    /** What was kept, as UTF-8; a cut that fell inside a character starts after it. */
    Output output() {
        if (written <= ring.length) {
            return new Output(new String(ring, 0, (int) written, StandardCharsets.UTF_8), true);
        }
        int start = (int) (written % ring.length);
        byte[] ordered = new byte[ring.length];
        System.arraycopy(ring, start, ordered, 0, ring.length - start);
        System.arraycopy(ring, 0, ordered, ring.length - start, start);
        int from = 0;
        while (from < ordered.length && (ordered[from] & 0xC0) == 0x80) {
            from++;
        }
        return new Output(new String(Arrays.copyOfRange(ordered, from, ordered.length), StandardCharsets.UTF_8), false);
    }
}
