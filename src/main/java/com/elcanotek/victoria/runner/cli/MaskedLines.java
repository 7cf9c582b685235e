package com.elcanotek.victoria.runner.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import com.elcanotek.victoria.runner.secrets.SecretMasker;

/**
 * Passes a stream of output on line by line, each masked and flushed as it ends (for {@code logs --follow}): a secret
 * never spans a line. A newline byte never occurs inside a UTF-8 character, so the bytes split safely.
 */
final class MaskedLines extends OutputStream {

    private final PrintWriter out;
    private final SecretMasker masker;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    MaskedLines(PrintWriter out, SecretMasker masker) {
        this.out = out;
        this.masker = masker;
    }

    @Override
    public void write(int b) {
        line.write(b);
        if (b == '\n') {
            pass();
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        for (int i = 0; i < length; i++) {
            write(bytes[offset + i]);
        }
    }

    /** The last line, even without its newline. */
    @Override
    public void close() {
        if (line.size() > 0) {
            pass();
        }
    }

    private void pass() {
        out.print(masker.mask(line.toString(StandardCharsets.UTF_8)));
        out.flush();
        line.reset();
    }
}
