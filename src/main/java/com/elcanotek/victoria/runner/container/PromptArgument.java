package com.elcanotek.victoria.runner.container;

import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.driver.StartFailed;

/**
 * Whether a prompt can be the one command-line argument the agent takes, checked before any engine call, so that a
 * prompt no argument can carry fails as the task's own fault with its reason, not as a start the host could not make
 * (the engine would not even be run, or would see a different prompt).
 */
public final class PromptArgument {

    private static final Logger LOG = Logger.getLogger(PromptArgument.class);

    /** Linux's MAX_ARG_STRLEN (32 pages of 4 KiB), less the terminating NUL. */
    static final int MAX_BYTES = 128 * 1024 - 1;
    private static final String ONE_ARGUMENT = "the agent takes it as one command-line argument";

    private PromptArgument() {
    }

    /** @throws StartFailed naming what in the prompt no command line can carry */
    static void check(String prompt) {
        int nul = prompt.indexOf('\0');
        if (nul >= 0) {
            throw StartFailed.ofTask("the prompt holds a NUL character (at character " + nul + "); " + ONE_ARGUMENT
                    + ", and a NUL ends an argument");
        }
        for (int i = 0; i < prompt.length(); i++) {
            char c = prompt.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < prompt.length() && Character.isLowSurrogate(prompt.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw StartFailed.ofTask("the prompt holds an unpaired UTF-16 surrogate (" + codePoint(c) + " at character " + i
                        + "), which is no character: " + ONE_ARGUMENT + ", and it would reach the agent as '?'");
            }
        }
        Charset charset = charset();
        CharsetEncoder encoder = charset.newEncoder();
        if (!encoder.canEncode(prompt)) {
            int at = 0;
            while (encoder.canEncode(prompt.substring(at, prompt.offsetByCodePoints(at, 1)))) {
                at = prompt.offsetByCodePoints(at, 1);
            }
            throw StartFailed.ofTask("the prompt holds " + codePoint(prompt.codePointAt(at)) + " (at character " + at
                    + "), which the runner's locale charset " + charset + " cannot put on a command line; run the runner"
                    + " in a UTF-8 locale (e.g. LC_ALL=C.UTF-8)");
        }
        int bytes = prompt.getBytes(charset).length;
        if (bytes > MAX_BYTES) {
            throw StartFailed.ofTask("the prompt is " + bytes + " bytes; " + ONE_ARGUMENT + ", and Linux allows at most "
                    + MAX_BYTES + " bytes in one (MAX_ARG_STRLEN)");
        }
    }

    /** Said at start: the operator can fix the locale before a task fails for it. */
    public static void warnIfNotUtf8() {
        Charset charset = charset();
        if (!charset.equals(StandardCharsets.UTF_8)) {
            LOG.warnf("The locale's charset is %s, not UTF-8: prompts holding other characters fail, as they cannot be"
                    + " put on the engine's command line; run the runner with LC_ALL=C.UTF-8", charset);
        }
    }

    /**
     * The charset Java encodes a child process's arguments in: the locale's ({@code sun.jnu.encoding}) since Java 18,
     * the default charset on Java 17. Under a locale without UTF-8 (systemd gives a service none unless the system
     * has one) it cannot carry most of the world's text. Read when asked, never in static state (native images).
     */
    public static Charset charset() {
        if (Runtime.version().feature() < 18) {
            return Charset.defaultCharset();
        }
        String name = System.getProperty("sun.jnu.encoding");
        return name != null && Charset.isSupported(name) ? Charset.forName(name) : Charset.defaultCharset();
    }

    private static String codePoint(int c) {
        return String.format(Locale.ROOT, "U+%04X", c);
    }
}
