package com.elcanotek.victoria.runner.config;

/** A setting that cannot be used; the message names the option and says what is wrong. */
public class InvalidOption extends RuntimeException {

    public InvalidOption(String option, String problem) {
        super("Invalid value for option '" + option + "': " + problem);
    }
}
