package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.driver.Output;

/** The last bytes of a container's output, however it arrives, cut only between characters. */
class LastBytesTest {

    @Test
    void keepsEverythingUpToItsCapacityAndThenTheEnd() throws Exception {
        LastBytes last = new LastBytes(10);
        last.write("hello ".getBytes(StandardCharsets.US_ASCII));
        assertThat(last.output()).isEqualTo(new Output("hello ", true));

        last.write("world, ".getBytes(StandardCharsets.US_ASCII), 0, 7);
        last.write('!');
        assertThat(last.output()).isEqualTo(new Output("o world, !", false));

        byte[] big = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        last.write(big, 2, 17);
        assertThat(last.output()).isEqualTo(new Output("9abcdefghi", false));
    }

    @Test
    void aCutInsideACharacterStartsAfterIt() throws Exception {
        LastBytes last = new LastBytes(5);
        last.write("x\u00e9\u00e9\u00e9".getBytes(StandardCharsets.UTF_8)); // x + three 2-byte characters: 7 bytes

        assertThat(last.output()).isEqualTo(new Output("\u00e9\u00e9", false));
    }
}
