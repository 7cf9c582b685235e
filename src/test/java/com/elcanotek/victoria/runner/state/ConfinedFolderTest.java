package com.elcanotek.victoria.runner.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the runner makes under the Victoria home, folder by folder. */
class ConfinedFolderTest {

    @TempDir
    Path home;

    /**
     * With docker's user-namespace remap the container's root is an unprivileged host uid that owns the home; a runner
     * (root) that kept the task folders it made would lock that agent out of its own session folder.
     */
    @Test
    void whatARootRunnerMakesBelongsToTheOwnerOfTheHome() throws Exception {
        assumeTrue(Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0), "only root may give files away");
        Files.setAttribute(home, "unix:uid", 165536);
        Files.setAttribute(home, "unix:gid", 165537);

        try (ConfinedFolder folder = ConfinedFolder.open(home, home.resolve("tasks/0123abcd/.crush"), true);
                OutputStream out = folder.write("made.txt", false)) {
            out.write(1);
        }

        for (String made : new String[] { "tasks", "tasks/0123abcd", "tasks/0123abcd/.crush", "tasks/0123abcd/.crush/made.txt" }) {
            assertThat(Files.getAttribute(home.resolve(made), "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(made).isEqualTo(165536);
            assertThat(Files.getAttribute(home.resolve(made), "unix:gid", LinkOption.NOFOLLOW_LINKS)).as(made).isEqualTo(165537);
        }
    }
}
