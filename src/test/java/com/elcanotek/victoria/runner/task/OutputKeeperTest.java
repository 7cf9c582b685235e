package com.elcanotek.victoria.runner.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The last lines of an agent's output as a task's error message carries them. */
class OutputKeeperTest {

    @Test
    void theLastLinesThatFitAsATerminalShowsThem() {
        String output = "starting\n\n\u001B[31mError:\u001B[0m OPENROUTER_API_KEY is not set\r\n  \n";

        assertThat(OutputKeeper.tail(output, 2048)).contains("starting\nError: OPENROUTER_API_KEY is not set");
        assertThat(OutputKeeper.tail(output, 40)).contains("Error: OPENROUTER_API_KEY is not set");
        assertThat(OutputKeeper.tail("working 10%\rworking 99%\rdone\n", 100)).contains("done");
        assertThat(OutputKeeper.tail("\n \n", 100)).isEmpty();
    }

    @Test
    void aLastLineTooLongOnItsOwnKeepsItsEndWithinTheBound() {
        String line = "\u00e9".repeat(3000) + " the end";

        String tail = OutputKeeper.tail("before\n" + line, 2048).orElseThrow();

        assertThat(tail).startsWith("...").endsWith("\u00e9 the end");
        assertThat(tail.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(2048).isGreaterThan(2040);
    }
}
