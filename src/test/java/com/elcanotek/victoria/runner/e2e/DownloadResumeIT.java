package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;

/** A file download cut off in the middle (connection dropped) resumes with a Range request from where it stopped. */
class DownloadResumeIT {

    @TempDir
    Path work;

    @Test
    void aDownloadCutOffTwiceResumesFromWhereItStoppedAndTheTaskRuns() throws Exception {
        byte[] content = new byte[1024 * 1024];
        new Random(11).nextBytes(content);
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "resume-" + ProcessHandle.current().pid(),
                        Map.of(), Map.of())) {
            String id = orchestrator.createTask(TaskSpec.builder("exit=0").file("big.bin", content).cutMidway("big.bin", 2).build());

            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, Duration.ofSeconds(60));

            List<String> ranges = orchestrator.fileRanges("big.bin");
            assertThat(ranges).hasSize(3).first().isEqualTo("");
            long first = from(ranges.get(1));
            assertThat(first).isPositive();
            assertThat(from(ranges.get(2))).isGreaterThan(first);
            assertThat(Files.readString(runner.home().resolve("runs/" + id + "/files")))
                    .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)) + "  big.bin\n");
            assertThat(done.claims()).isEqualTo(1);
            assertThat(runner.output()).contains("download interrupted").contains("resuming from byte");
        }
    }

    private static long from(String range) {
        assertThat(range).matches("bytes=[0-9]+-");
        return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
    }
}
