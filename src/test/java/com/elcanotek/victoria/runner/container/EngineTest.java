package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EngineTest {

    private static boolean podman(String version) {
        return new Engine(Engine.Kind.PODMAN, version).supportsHostGateway();
    }

    private static boolean docker(String version) {
        return new Engine(Engine.Kind.DOCKER, version).supportsHostGateway();
    }

    @Test
    void podmanGetsHostGatewayFromFive() {
        assertThat(podman("4.3.1")).isFalse();
        assertThat(podman("4.9.3")).isFalse();
        assertThat(podman("5.0.0")).isTrue();
        assertThat(podman("5.0.0-dev")).isTrue();
        assertThat(podman("10.1.0")).isTrue();
    }

    @Test
    void dockerHasHadItSinceTwentyTen() {
        assertThat(docker("19.03.12")).isFalse();
        assertThat(docker("20.10.0")).isTrue();
        assertThat(docker("28.2.2+ds1")).isTrue();
    }

    @Test
    void unknownVersionsGetNoHostGateway() {
        assertThat(podman("")).isFalse();
        assertThat(docker("dev")).isFalse();
    }
}
