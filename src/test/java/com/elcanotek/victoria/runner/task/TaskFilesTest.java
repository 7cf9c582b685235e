package com.elcanotek.victoria.runner.task;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.admission.DiskSpaceGuard;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator;
import com.elcanotek.victoria.runner.state.Layout;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;

/** Task files over real HTTP: verified, size-limited, stall-limited, and never written outside their folder. */
@QuarkusTest
class TaskFilesTest {

    static final String ID = "0badc0de-1111-4222-8333-444455556666";
    static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor();

    @RegisterExtension
    static WireMockOrchestrator server = new WireMockOrchestrator();

    @Inject
    ObjectMapper json;

    @TempDir
    Path home;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterAll
    static void stopWatchdog() {
        WATCHDOG.shutdownNow();
    }

    private TaskFiles files(long maxFileSize, Duration stall) {
        return files(new TaskFiles.Limits(maxFileSize, 1L << 40, 0), path -> 1L << 40, stall);
    }

    private TaskFiles files(TaskFiles.Limits limits, DiskSpaceGuard.FreeSpace freeSpace, Duration stall) {
        return new TaskFiles(server.client(() -> "key", json, Clock.systemUTC()), limits, freeSpace, stall, WATCHDOG,
                new RunnerMetrics(registry));
    }

    /** A start budget no download here comes near; TaskRunTest has one that ends a download. */
    private static final long FAR = System.nanoTime() + Duration.ofHours(1).toNanos();

    private Layout layout() {
        return new Layout(home.resolveSibling("state"), home);
    }

    private Path folder() {
        return layout().taskFiles(ID);
    }

    private static TaskAssignment task(List<String> names, List<String> checksums) {
        return new TaskAssignment(ID, "p", "", null, names, checksums);
    }

    /** With its length, as the orchestrator sends a file (WireMock would send it chunked). */
    private static void serve(String encodedPath, byte[] body) {
        server.stubFor(get(urlPathEqualTo("/files/" + encodedPath)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream")
                .withHeader("Content-Length", Integer.toString(body.length)).withBody(body)));
    }

    @Test
    void verifiedFilesLandInTheTaskFolderAndNoPartialFileRemains() throws Exception {
        byte[] report = "numbers".getBytes(StandardCharsets.UTF_8);
        serve("my%20report.pdf", report);

        Path folder = files(1024, Duration.ofSeconds(5)).download(task(List.of("my report.pdf"), List.of(sha256(report))), layout(), FAR);

        assertThat(folder).isEqualTo(home.resolve("tasks/0badc0de/files"));
        assertThat(Files.readAllBytes(folder.resolve("my report.pdf"))).isEqualTo(report);
        assertThat(registry.get("victoria.runner.files.downloaded").counter().count()).isEqualTo(report.length);
        try (var listing = Files.list(folder)) {
            assertThat(listing).hasSize(1);
        }
    }

    @Test
    void namesWithUrlSyntaxOrBeyondAsciiAreRequestedPercentEncodedAndKeptAsNamed() throws Exception {
        Map<String, String> encoded = Map.of("50% off.txt", "50%25%20off.txt", "a#b?.csv", "a%23b%3F.csv",
                "%41.txt", "%2541.txt", "na\u00efve \u6587.txt", "na%C3%AFve%20%E6%96%87.txt", "...", "...");
        encoded.forEach((name, path) -> serve(path, name.getBytes(StandardCharsets.UTF_8)));
        List<String> names = List.copyOf(encoded.keySet());

        Path folder = files(1024, Duration.ofSeconds(5)).download(task(names, names.stream().map(name -> "").toList()), layout(), FAR);

        for (String name : names) {
            assertThat(folder.resolve(name)).as(name).hasContent(name);
        }
    }

    @Test
    void checksumMismatchNamesTheFileAndKeepsNothing() throws Exception {
        serve("a.bin", "tampered".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5))
                .download(task(List.of("a.bin"), List.of(sha256("original".getBytes(StandardCharsets.UTF_8)))), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessageContaining("'a.bin' checksum mismatch");
        assertThat(home.resolve("tasks/0badc0de/files/a.bin")).doesNotExist();
    }

    @Test
    void emptyChecksumFallsBackToTheServersHeader() throws Exception {
        server.stubFor(get(urlPathEqualTo("/files/h.txt")).willReturn(aResponse().withStatus(200)
                .withHeader("X-Checksum-SHA256", sha256("expected".getBytes(StandardCharsets.UTF_8)))
                .withBody("different")));

        assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5)).download(task(List.of("h.txt"), List.of("")), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessageContaining("checksum mismatch");
    }

    @Test
    void unverifiableFileIsAcceptedWhenNothingStatesItsChecksum() throws Exception {
        serve("free.txt", "anything".getBytes(StandardCharsets.UTF_8));

        Path folder = files(1024, Duration.ofSeconds(5)).download(task(List.of("free.txt"), List.of("")), layout(), FAR);

        assertThat(folder.resolve("free.txt")).hasContent("anything");
    }

    @Test
    void fileLargerThanTheLimitIsRefused() {
        serve("big.bin", new byte[4096]);

        assertThatThrownBy(() -> files(1000, Duration.ofSeconds(5)).download(task(List.of("big.bin"), List.of("")), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessageContaining("'big.bin' is larger than the limit of 1000 bytes");
        assertThat(home.resolve("tasks/0badc0de/files/big.bin")).doesNotExist();
    }

    @Test
    void stalledDownloadFails() {
        server.stubFor(get(urlPathEqualTo("/files/slow.bin")).willReturn(aResponse().withStatus(200)
                .withBody(new byte[64]).withChunkedDribbleDelay(4, 6000)));

        assertThatThrownBy(() -> files(1024, Duration.ofMillis(700)).download(task(List.of("slow.bin"), List.of("")), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessage("file 'slow.bin' download stalled for more than 0.7 s");
    }

    @Test
    void missingFileIsReportedWithTheServersWords() {
        server.stubFor(get(urlPathEqualTo("/files/gone.txt")).willReturn(WireMockOrchestrator.refusal(404, "File not found")));

        assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5)).download(task(List.of("gone.txt"), List.of("")), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessageContaining("'gone.txt'").hasMessageContaining("File not found");
    }

    @Test
    void checksumListOfTheWrongLengthOrMissingFailsBeforeAnyDownload() {
        assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5)).download(task(List.of("a", "b"), List.of("")), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessageContaining("2 file(s) but 1 checksum(s)");
        assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5)).download(task(List.of("a"), null), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessageContaining("no file_checksums");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void directoriesAreStrippedTheFileAskedForByTheNameTheTaskGivesAndKeptInTheTaskFolder() throws Exception {
        // Backslashes: this server, like the real one, refuses a name holding a (percent-encoded) slash
        Map<String, String> served = Map.of("..\\..\\escape.txt", "..%5C..%5Cescape.txt", "C:\\Users\\me\\report.pdf",
                "C%3A%5CUsers%5Cme%5Creport.pdf", "dir\\q3.pdf", "dir%5Cq3.pdf");
        served.forEach((name, path) -> serve(path, name.getBytes(StandardCharsets.UTF_8)));
        List<String> names = List.copyOf(served.keySet());

        Path folder = files(1024, Duration.ofSeconds(5)).download(task(names, names.stream().map(name -> "").toList()), layout(), FAR);

        assertThat(folder.resolve("escape.txt")).hasContent("..\\..\\escape.txt");
        assertThat(folder.resolve("report.pdf")).hasContent("C:\\Users\\me\\report.pdf");
        assertThat(folder.resolve("q3.pdf")).hasContent("dir\\q3.pdf");
        try (var listing = Files.list(folder)) {
            assertThat(listing).hasSize(3);
        }
        assertThat(home.resolve("escape.txt")).doesNotExist();
        assertThat(home.getParent().resolve("escape.txt")).doesNotExist();
    }

    @Test
    void namesThatWouldBeKeptAsOneFileAreRefusedBeforeAnyDownload() {
        for (List<String> both : List.of(List.of("a/x", "b/x"), List.of("x", "x"), List.of("../x", "x"))) {
            assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5)).download(task(both, List.of("", "")), layout(), FAR))
                    .as(both.toString()).isInstanceOf(TaskFailure.class).hasMessageContaining("is kept as 'x' too");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void hostileNamesAreRefusedBeforeAnyDownload() {
        for (String hostile : List.of("..", ".", "", "dir/", "a/..", "../.", "a\u0000b", "x".repeat(300), "d/" + "x".repeat(300))) {
            assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5)).download(task(List.of(hostile), List.of("")), layout(), FAR))
                    .as(hostile).isInstanceOf(TaskFailure.class).hasMessageContaining("refused");
        }
        assertThat(server.requests()).isEmpty();
        assertThat(home.getParent().resolve("x")).doesNotExist();
    }

    /**
     * A name no path of this host can hold (a lone surrogate anywhere; any non-ASCII character where the file names
     * are ASCII, as under the C locale) threw from deep in the download, on every resume, for ever.
     */
    @Test
    void namesThePlatformCannotWriteAreRefusedBeforeAnyDownload() {
        assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5)).download(task(List.of("report\ud800.pdf"), List.of("")),
                layout(), FAR)).isInstanceOf(TaskFailure.class)
                .hasMessageStartingWith("file 'report\ud800.pdf' refused: file name cannot be written on this host");
        assertThat(server.requests()).isEmpty();
    }

    /**
     * An earlier run's agent saw the task's folder and could plant links in it: one where the files go, or one as the
     * partial file a download resumes, would have the runner (root, with docker) write wherever it points.
     */
    @Test
    void aLinkPlantedAsTheFilesFolderOrAsItsParentIsRefusedAndNothingIsWrittenWhereItPoints(@TempDir Path outside)
            throws Exception {
        serve("a.txt", "payload".getBytes(StandardCharsets.UTF_8));
        Path files = folder();
        for (Path planted : List.of(files.getParent(), files)) {
            Files.createDirectories(planted.getParent());
            Files.createSymbolicLink(planted, outside);

            assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5)).download(task(List.of("a.txt"), List.of("")), layout(), FAR))
                    .as(planted.toString()).isInstanceOf(TaskFailure.class)
                    .hasMessageContaining(planted.toString()).hasMessageContaining("symbolic link");
            try (var listing = Files.list(outside)) {
                assertThat(listing).as(planted.toString()).isEmpty();
            }
            Files.delete(planted);
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aPartialFileThatIsALinkIsNeitherResumedNorWrittenThroughAndIsRemoved(@TempDir Path outside) throws Exception {
        byte[] body = "the real file".getBytes(StandardCharsets.UTF_8);
        serve("a.txt", body);
        TaskAssignment task = task(List.of("a.txt"), List.of(sha256(body)));
        Path victim = Files.writeString(outside.resolve("victim"), "the real");
        Files.createDirectories(folder());
        Path part = Files.createSymbolicLink(folder().resolve(TaskFiles.partName(task, "a.txt")), victim);

        assertThatThrownBy(() -> files(1024, Duration.ofSeconds(5)).download(task, layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessageContaining(part.toString()).hasMessageContaining("symbolic link");

        assertThat(victim).hasContent("the real");
        assertThat(Files.exists(part, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(folder().resolve("a.txt")).doesNotExist();
    }

    @Test
    void aLinkPlantedUnderAFilesNameIsReplacedByTheVerifiedFileNotWrittenThrough(@TempDir Path outside) throws Exception {
        byte[] body = "the real file".getBytes(StandardCharsets.UTF_8);
        serve("a.txt", body);
        Path victim = Files.writeString(outside.resolve("victim"), "untouched");
        Files.createDirectories(folder());
        Files.createSymbolicLink(folder().resolve("a.txt"), victim);

        files(1024, Duration.ofSeconds(5)).download(task(List.of("a.txt"), List.of(sha256(body))), layout(), FAR);

        assertThat(victim).hasContent("untouched");
        assertThat(Files.isSymbolicLink(folder().resolve("a.txt"))).isFalse();
        assertThat(Files.readAllBytes(folder().resolve("a.txt"))).isEqualTo(body);
    }

    /**
     * The task's files together are held to --max-task-files-size: a file whose declared length passes what is left
     * is refused before any byte of it is written, naming the limit; the files before it are kept.
     */
    @Test
    void filesThatTogetherPassTheTasksLimitAreRefusedBeforeTheOneThatPassesItIsWritten() throws Exception {
        serve("a.bin", new byte[600]);
        serve("b.bin", new byte[600]);

        assertThatThrownBy(() -> files(new TaskFiles.Limits(1000, 1000, 0), path -> 1L << 40, Duration.ofSeconds(5))
                .download(task(List.of("a.bin", "b.bin"), List.of("", "")), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessage("the task's files are larger than the limit of 1000 bytes together"
                        + " (--max-task-files-size): file 'b.bin' has 600 bytes after 600 bytes of the files before it");
        assertThat(folder().resolve("a.bin")).hasSize(600);
        try (var listing = Files.list(folder())) {
            assertThat(listing).hasSize(1);
        }
    }

    /** Without a declared length (chunked), the bytes as they come are held to the task's limit. */
    @Test
    void aFileWithoutADeclaredLengthIsStoppedOnceTheTasksFilesPassTheLimit() throws Exception {
        serve("a.bin", new byte[600]);
        server.stubFor(get(urlPathEqualTo("/files/b.bin")).willReturn(aResponse().withStatus(200).withBody(new byte[600])));

        assertThatThrownBy(() -> files(new TaskFiles.Limits(1000, 1000, 0), path -> 1L << 40, Duration.ofSeconds(5))
                .download(task(List.of("a.bin", "b.bin"), List.of("", "")), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessageContaining("--max-task-files-size");
        try (var listing = Files.list(folder())) {
            assertThat(listing).containsExactly(folder().resolve("a.bin"));
        }
    }

    /**
     * A file that would leave less than --min-free-disk free is refused by its declared length, before any of it is
     * written, saying how much is free and what keeps it.
     */
    @Test
    void aFileThatWouldEatIntoTheMinimumFreeDiskIsRefusedBeforeItIsWritten() throws Exception {
        serve("big.bin", new byte[5000]);
        long mib = 1024 * 1024;
        DiskSpaceGuard.FreeSpace freeSpace = path -> 3 * mib;

        assertThatThrownBy(() -> files(new TaskFiles.Limits(1L << 30, 1L << 30, 3 * mib - 4000), freeSpace,
                Duration.ofSeconds(5)).download(task(List.of("big.bin"), List.of("")), layout(), FAR))
                .isInstanceOf(TaskFailure.class).hasMessage("not enough free disk for file 'big.bin' (5000 bytes): 3 MiB free"
                        + " in the Victoria home, of which --min-free-disk keeps 2 MiB");
        try (var listing = Files.list(folder())) {
            assertThat(listing).isEmpty();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
