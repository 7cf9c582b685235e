package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.driver.StartFailed;

/** A prompt no command-line argument can carry fails as the task's fault, naming what in it cannot be carried. */
class PromptArgumentTest {

    @Test
    void whatAnyArgumentCarriesPasses() {
        assertThatCode(() -> PromptArgument.check("-rf \"quoted\" 'single'\n$(id) \t")).doesNotThrowAnyException();
        assertThatCode(() -> PromptArgument.check("x".repeat(PromptArgument.MAX_BYTES))).doesNotThrowAnyException();
        assertThatCode(() -> PromptArgument.check("")).doesNotThrowAnyException();
    }

    @Test
    void anyCharacterPassesInAUtf8Locale() {
        assumeTrue(PromptArgument.charset().equals(StandardCharsets.UTF_8), "the tests run in a UTF-8 locale");

        assertThatCode(() -> PromptArgument.check("caf\u00e9 \u4e2d\u6587 \ud83d\ude00")).doesNotThrowAnyException();
    }

    @Test
    void aNulCharacterIsRefusedWithItsPlace() {
        assertThatThrownBy(() -> PromptArgument.check("before\0after")).isInstanceOf(StartFailed.class)
                .hasMessage("the prompt holds a NUL character (at character 6); the agent takes it as one command-line"
                        + " argument, and a NUL ends an argument")
                .matches(e -> !((StartFailed) e).isOfHost(), "is the task's fault, not the host's");
    }

    @Test
    void anUnpairedSurrogateIsRefusedButAPairIsACharacter() {
        assertThatThrownBy(() -> PromptArgument.check("ab\ud800c")).isInstanceOf(StartFailed.class)
                .hasMessageStartingWith("the prompt holds an unpaired UTF-16 surrogate (U+D800 at character 2)");
        assertThatThrownBy(() -> PromptArgument.check("\udc00")).isInstanceOf(StartFailed.class)
                .hasMessageStartingWith("the prompt holds an unpaired UTF-16 surrogate (U+DC00 at character 0)");
        assertThatThrownBy(() -> PromptArgument.check("end\ud83d")).isInstanceOf(StartFailed.class)
                .hasMessageContaining("U+D83D at character 3");
    }

    @Test
    void aPromptOverOneArgumentIsRefusedWithItsSize() {
        assertThatThrownBy(() -> PromptArgument.check("x".repeat(PromptArgument.MAX_BYTES + 1))).isInstanceOf(StartFailed.class)
                .hasMessage("the prompt is 131072 bytes; the agent takes it as one command-line argument, and Linux allows"
                        + " at most 131071 bytes in one (MAX_ARG_STRLEN)");
    }
}
