package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorTextTest {

    @Test
    void keepsTheErrorDropsTheChatter() {
        String podmanPull = """
                Trying to pull localhost/nosuch:x...
                time="2026-11-27T05:09:59Z" level=warning msg="Failed, retrying in 1s ... (1/3). Error: ..."
                Error: initializing source docker://localhost/nosuch:x: connection refused
                """;
        String dockerRun = """
                Unable to find image 'localhost/nosuch:x' locally
                docker: initializing source docker://localhost/nosuch:x: connection refused

                Run 'docker run --help' for more information
                """;

        assertThat(ErrorText.of(podmanPull)).isEqualTo("Error: initializing source docker://localhost/nosuch:x: connection refused");
        assertThat(ErrorText.of(dockerRun)).isEqualTo("docker: initializing source docker://localhost/nosuch:x: connection refused");
    }

    @Test
    void syslogNoiseAloneLeavesNothing() {
        assertThat(ErrorText.of("  failed to connect to syslog: no such file\n\n")).isEmpty();
    }

    @Test
    void keepsErrorLevelLogLines() {
        String line = "time=\"x\" level=error msg=\"storage is corrupt\"";

        assertThat(ErrorText.of(line + "\n")).isEqualTo(line);
    }
}
