package com.elcanotek.victoria.runner.secrets;

import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;

/**
 * A log handler's formatter with the secrets masked in what it wrote: the whole line, so that a value in a message, a
 * parameter, an exception's message or an MDC entry is caught alike, in the text and the JSON format (where the value
 * stands JSON-escaped, which the masker knows).
 */
public final class MaskingFormatter extends ExtFormatter.Delegating {

    private final SecretMasker masker;

    public MaskingFormatter(ExtFormatter delegate, SecretMasker masker) {
        super(delegate);
        this.masker = masker;
    }

    /** The formatter this one masks the output of. */
    public ExtFormatter inner() {
        return delegate;
    }

    @Override
    public String format(ExtLogRecord record) {
        return masker.mask(super.format(record));
    }
}
