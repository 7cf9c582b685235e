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
        // a Docker engine's own words, which do not name the image: the line before them does
        String dockerRun = """
                Unable to find image 'localhost/nosuch:x' locally
                docker: Error response from daemon: Get "http://localhost/v2/": dial tcp 127.0.0.1:80: connect: connection refused.

                Run 'docker run --help' for more information
                """;

        assertThat(ErrorText.of(podmanPull)).isEqualTo("Error: initializing source docker://localhost/nosuch:x: connection refused");
        assertThat(ErrorText.of(dockerRun)).isEqualTo("Unable to find image 'localhost/nosuch:x' locally\n"
                + "docker: Error response from daemon: Get \"http://localhost/v2/\": dial tcp 127.0.0.1:80: connect: connection refused.");
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
