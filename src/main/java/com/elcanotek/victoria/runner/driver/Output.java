package com.elcanotek.victoria.runner.driver;

/**
 * What an instance printed, as far as it was asked for.
 *
 * @param text  its output, stdout and stderr as one text in the backend's order
 * @param whole false when only the end is there (the start was past the bound asked for)
 */
public record Output(String text, boolean whole) {
}
