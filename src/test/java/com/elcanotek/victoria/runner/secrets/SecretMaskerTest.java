package com.elcanotek.victoria.runner.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The one masker: what is masked, what is not, and that masking never lets a piece of a secret through. */
class SecretMaskerTest {

    private static final String KEY = "sk-or-v1-0123456789abcdef";

    private static SecretMasker masker(String... values) {
        SecretMasker masker = new SecretMasker();
        masker.add(Arrays.asList(values));
        return masker;
    }

    @Test
    void everyOccurrenceIsMaskedButValuesShorterThanEightCharactersAreNot() {
        SecretMasker masker = masker(KEY, "12345678", "1234567", "true", null);

        assertThat(masker.mask("key " + KEY + " and again " + KEY + "."))
                .isEqualTo("key *** and again ***.");
        assertThat(masker.mask("eight 12345678, seven 1234567, flag true")).isEqualTo("eight ***, seven 1234567, flag true");
        assertThat(masker.mask(null)).isNull();
        assertThat(masker.mask("")).isEmpty();
        assertThat(new SecretMasker().mask("nothing to mask " + KEY)).isEqualTo("nothing to mask " + KEY);
    }

    @Test
    void aValueIsFoundJsonEscapedAsInAJsonLogLineOrAnAgentsMessageParts() {
        String quoted = "pa\"ss\\word-42";
        SecretMasker masker = masker(quoted);

        assertThat(masker.mask("{\"text\":\"the password is pa\\\"ss\\\\word-42\"}"))
                .isEqualTo("{\"text\":\"the password is ***\"}");
        assertThat(masker.mask("raw " + quoted)).isEqualTo("raw ***");
    }

    @Test
    void overlappingValuesLeaveNoPieceOfEitherBehind() {
        SecretMasker masker = masker("abcdefgh12", "12345678", "abcdefgh12345678xyz");

        assertThat(masker.mask("..abcdefgh12345678..")).isEqualTo("..***..");
        assertThat(masker.mask("abcdefgh12345678xyz")).isEqualTo("***");
        assertThat(masker.mask("x12345678abcdefgh12")).isEqualTo("x***");
    }

    @Test
    void aCutTextThatStartsWithTheEndOfAValueHasThatEndMaskedTooWithoutGrowing() {
        SecretMasker masker = masker(KEY);

        assertThat(masker.maskCut("89abcdef then more")).isEqualTo("*** then more");
        assertThat(masker.maskCut("f then more")).as("one character, one star").isEqualTo("* then more");
        assertThat(masker.maskCut("ef: " + KEY)).isEqualTo("**: ***");
        assertThat(masker.maskCut("nothing of it")).isEqualTo("nothing of it");
        assertThat(masker.mask("89abcdef then more")).as("an uncut text starts where it starts").isEqualTo("89abcdef then more");
        for (String text : List.of("f", "ef", "def x", KEY, "0123456789abcdef", "-" + KEY + "-")) {
            assertThat(masker.maskCut(text).length()).as(text).isLessThanOrEqualTo(text.length());
        }
    }

    @Test
    void valuesAddedLaterAreMaskedAlongsideTheEarlierOnes() {
        SecretMasker masker = masker(KEY);
        String rotated = "sk-or-v1-fedcba9876543210";

        masker.add(List.of(rotated));

        assertThat(masker.mask(KEY + " " + rotated)).isEqualTo("*** ***");
    }
}
