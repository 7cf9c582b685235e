package com.elcanotek.victoria.runner.driver;

/**
 * The backend could not be asked now (the engine does not answer, its CLI timed out): it says nothing about the
 * task, and asking again later may work. The message is the backend's own words.
 */
public class DriverUnavailable extends RuntimeException {

    public DriverUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
