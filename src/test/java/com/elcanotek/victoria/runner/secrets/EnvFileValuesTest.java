package com.elcanotek.victoria.runner.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The values of an env file as podman and docker hand them to a container. */
class EnvFileValuesTest {

    @TempDir
    Path dir;

    @Test
    void everyAssignedValueAsTheEngineReadsItAndAsTheOperatorMeantIt() throws Exception {
        Path file = Files.writeString(dir.resolve("llm.env"), """
                # comment=not a value
                OPENROUTER_API_KEY=sk-or-v1-abc
                  INDENTED=value=with=equals
                QUOTED="quoted secret"\r
                SINGLE='single'
                FROM_HOST_ENVIRONMENT

                TRAILING=blanks\t
                """);

        assertThat(EnvFileValues.of(file)).contains("sk-or-v1-abc", "value=with=equals", "\"quoted secret\"", "quoted secret",
                "'single'", "single", "blanks\t", "blanks").doesNotContain("not a value", "FROM_HOST_ENVIRONMENT");
        assertThat(EnvFileValues.of(null)).isEmpty();
        assertThat(EnvFileValues.of(dir.resolve("missing.env"))).isEmpty();
    }
}
