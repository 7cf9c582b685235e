package com.elcanotek.victoria.runner.driver;

/**
 * The backend answered, and the instance will never give an exit code: it was removed, or it exists but never ran
 * to completion. Unlike {@link DriverUnavailable}, asking again changes nothing.
 */
public class InstanceGone extends RuntimeException {

    public InstanceGone(String message) {
        super(message);
    }
}
