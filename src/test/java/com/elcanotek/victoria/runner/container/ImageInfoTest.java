package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class ImageInfoTest {

    @Test
    void theRepositoryOfAReferenceDropsTagAndDigestButNotARegistryPort() {
        assertThat(ImageInfo.repositoryOf("ghcr.io/elcanotek/victoria-terminal:latest")).isEqualTo("ghcr.io/elcanotek/victoria-terminal");
        assertThat(ImageInfo.repositoryOf("ghcr.io/elcanotek/victoria-terminal@sha256:abc")).isEqualTo("ghcr.io/elcanotek/victoria-terminal");
        assertThat(ImageInfo.repositoryOf("localhost:5000/victoria:1.2")).isEqualTo("localhost:5000/victoria");
        assertThat(ImageInfo.repositoryOf("localhost:5000/victoria")).isEqualTo("localhost:5000/victoria");
    }

    @Test
    void anImageLeftWithoutItsTagStillBelongsToItsRepositoryByDigestOrByFormerName() {
        ImageInfo dockers = new ImageInfo("sha256:1", Instant.EPOCH, List.of(),
                List.of("ghcr.io/elcanotek/victoria-terminal@sha256:0f0f"), List.of());
        ImageInfo podmans = new ImageInfo("sha256:3", Instant.EPOCH, List.of(), List.of(),
                List.of("ghcr.io/elcanotek/victoria-terminal:latest"));
        ImageInfo other = new ImageInfo("sha256:2", Instant.EPOCH, List.of("ghcr.io/elcanotek/victoria-terminal-extra:1"),
                List.of(), List.of());
        ImageInfo pinned = new ImageInfo("sha256:4", Instant.EPOCH, List.of("registry.example/pinned:v1"), List.of(),
                List.of("ghcr.io/elcanotek/victoria-terminal:latest", "registry.example/pinned:v1"));

        assertThat(dockers.belongsTo("ghcr.io/elcanotek/victoria-terminal")).isTrue();
        assertThat(podmans.belongsTo("ghcr.io/elcanotek/victoria-terminal")).isTrue();
        assertThat(other.belongsTo("ghcr.io/elcanotek/victoria-terminal")).isFalse();
        assertThat(pinned.belongsTo("ghcr.io/elcanotek/victoria-terminal")).isTrue();
        assertThat(pinned.taggedOutside("ghcr.io/elcanotek/victoria-terminal")).isTrue();
        assertThat(podmans.taggedOutside("ghcr.io/elcanotek/victoria-terminal")).isFalse();
    }
}
