package com.elcanotek.victoria.runner.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathSegmentTest {

    @Test
    void aFileNameIsOnePathSegmentWhateverItHolds() {
        assertThat(Orchestrator.pathSegment("reports/q3.pdf")).isEqualTo("reports%2Fq3.pdf");
        assertThat(Orchestrator.pathSegment("../../etc/passwd")).isEqualTo("..%2F..%2Fetc%2Fpasswd");
        assertThat(Orchestrator.pathSegment("50% off?#.txt")).isEqualTo("50%25%20off%3F%23.txt");
        assertThat(Orchestrator.pathSegment("na\u00efve \u6587~_-.txt")).isEqualTo("na%C3%AFve%20%E6%96%87~_-.txt");
        assertThat(Orchestrator.pathSegment("a\\b")).isEqualTo("a%5Cb");
    }
}
