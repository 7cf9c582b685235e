package com.elcanotek.victoria.runner.secrets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * The runner's one masker: replaces every value it was given (the operator's env-file values, the node key, the
 * registration token) with {@value #MASK} in text that leaves the runner or is written by it. Values shorter than
 * {@value #MIN_LENGTH} characters are not masked, as GitHub's runner does not: masking {@code true} or {@code 1234}
 * everywhere would mangle the text and hide nothing. A value is also found JSON-escaped, as it stands inside a JSON
 * log line or in an agent's message parts.
 *
 * <p>Values are only ever added (at start, on reload, at each container start, at each registration): a value once
 * given to a container may turn up in its output long after it was replaced. Thread-safe: {@link #add} swaps in a
 * new immutable list, which masking reads without a lock.
 */
public final class SecretMasker {

    public static final int MIN_LENGTH = 8;
    public static final String MASK = "***";

    private final Set<String> values = new LinkedHashSet<>();
    /** The values and their JSON-escaped forms, longest first; replaced whole by {@link #add}. */
    private volatile List<String> patterns = List.of();

    /** Masks {@code candidates} from now on; those shorter than {@value #MIN_LENGTH} characters and nulls are skipped. */
    public synchronized void add(Collection<String> candidates) {
        boolean changed = false;
        for (String value : candidates) {
            if (value != null && value.length() >= MIN_LENGTH) {
                changed |= values.add(value);
            }
        }
        if (!changed) {
            return;
        }
        Set<String> all = new LinkedHashSet<>();
        for (String value : values) {
            all.add(value);
            all.add(new String(JsonStringEncoder.getInstance().quoteAsString(value)));
        }
        List<String> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        patterns = List.copyOf(sorted);
    }

    /** Every value in {@code text} replaced with {@value #MASK}; null stays null. */
    public String mask(String text) {
        return mask(text, false);
    }

    /**
     * {@link #mask} of a text that is the tail of a longer one (an output's last MiB, a message's cut content): its
     * start may be the end of a value that began before the cut, which is masked too, however short that end is.
     */
    public String maskCut(String text) {
        return mask(text, true);
    }

    private String mask(String text, boolean cut) {
        List<String> current = patterns;
        if (text == null || text.isEmpty() || current.isEmpty()) {
            return text;
        }
        boolean[] covered = null;
        for (String pattern : current) {
            for (int at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + 1)) {
                covered = cover(covered, text.length(), at, at + pattern.length());
            }
        }
        if (cut) {
            int fragment = leadingFragment(text, current);
            if (fragment > 0) {
                covered = cover(covered, text.length(), 0, fragment);
            }
        }
        return covered == null ? text : replace(text, covered);
    }

    private static boolean[] cover(boolean[] covered, int length, int from, int to) {
        boolean[] marks = covered == null ? new boolean[length] : covered;
        for (int i = from; i < to; i++) {
            marks[i] = true;
        }
        return marks;
    }

    /** The length of the longest start of {@code text} that is a proper end of a pattern. */
    private static int leadingFragment(String text, List<String> patterns) {
        int longest = 0;
        for (String pattern : patterns) {
            for (int length = Math.min(pattern.length() - 1, text.length()); length > longest; length--) {
                if (text.startsWith(pattern.substring(pattern.length() - length))) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }

    /**
     * Each run of covered characters becomes {@value #MASK}, or as many {@code *} as it is long when shorter (only a
     * cut's leading fragment can be): masking never makes a text longer, so a body fitted to a size limit still fits.
     */
    private static String replace(String text, boolean[] covered) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (!covered[i]) {
                out.append(text.charAt(i++));
                continue;
            }
            int start = i;
            while (i < text.length() && covered[i]) {
                i++;
            }
            out.append(MASK, 0, Math.min(MASK.length(), i - start));
        }
        return out.toString();
    }
}
