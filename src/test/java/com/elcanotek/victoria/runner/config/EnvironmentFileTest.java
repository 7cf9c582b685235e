package com.elcanotek.victoria.runner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The values systemd's env-file.c gives for each of these lines. */
class EnvironmentFileTest {

    @Test
    void readsWhatSystemdReads() {
        Map<String, String> values = EnvironmentFile.parse(String.join("\n",
                "# comment \\",
                "continued comment",
                "; another comment",
                "PLAIN=value   ",
                "  SPACED  =  two words ",
                "SINGLE='its $HOME \\n'",
                "DOUBLE=\"a\\\"b\\\\c\\$d\\ne\"",
                "JOINED=\"one\" \"two\"",
                "ESCAPED=x\\ y",
                "CONTINUED=long\\",
                "line",
                "MULTI=\"first",
                "second\"",
                "EMPTY=",
                "export EXPORTED=1",
                "NOEQUALS",
                "9BAD=no",
                "UNTERMINATED=\"end"));

        assertThat(values).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("PLAIN", "value"),
                Map.entry("SPACED", "two words"),
                Map.entry("SINGLE", "its $HOME \\n"),
                Map.entry("DOUBLE", "a\"b\\c$d\\ne"),
                Map.entry("JOINED", "onetwo"),
                Map.entry("ESCAPED", "x y"),
                Map.entry("CONTINUED", "longline"),
                Map.entry("MULTI", "first\nsecond"),
                Map.entry("EMPTY", ""),
                Map.entry("UNTERMINATED", "end")));
    }

    @Test
    void aMissingFileNamesTheOptionAndBytesThatAreNotUtf8AreNoError(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> EnvironmentFile.read(dir.resolve("none"))).isInstanceOf(InvalidOption.class)
                .hasMessageContaining("--environment-file").hasMessageContaining("does not exist");
        Path latin1 = Files.write(dir.resolve("latin1.env"), new byte[] { '#', (byte) 0xE9, '\n', 'A', '=', '1', '\n' });
        assertThat(EnvironmentFile.read(latin1)).containsEntry("A", "1");
    }
}
