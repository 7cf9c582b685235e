package com.elcanotek.victoria.runner.packaging;

import static com.elcanotek.victoria.runner.packaging.Commands.lines;
import static com.elcanotek.victoria.runner.packaging.Commands.ok;
import static com.elcanotek.victoria.runner.packaging.Commands.onPath;
import static com.elcanotek.victoria.runner.packaging.Commands.require;
import static com.elcanotek.victoria.runner.packaging.Commands.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The packages this build made in target/: the .deb installed, installed again (an upgrade), removed and
 * purged with dpkg on this machine, the .rpm read with rpm -qp, the architecture of both (and of the native
 * profile's). Installing needs root on Debian and a machine without the package, which the test leaves as it found it.
 */
@Tag("system")
class PackageIT {

    static final String VERSION = System.getProperty("project.version");
    /** all and noarch, or the machine's for a native build: what the pom gave the build (failsafe passes it on). */
    static final String DEB_ARCHITECTURE = System.getProperty("packaging.deb.architecture");
    static final String RPM_ARCHITECTURE = System.getProperty("packaging.rpm.architecture");
    static final Path DEB = Path.of("target", "victoria-runner_" + VERSION + "_" + DEB_ARCHITECTURE + ".deb").toAbsolutePath();
    static final Path RPM = Path.of("target", "victoria-runner-" + VERSION + "-1." + RPM_ARCHITECTURE + ".rpm").toAbsolutePath();

    static final String STATE = "/var/lib/victoria-runner";
    static final String CONFIG = "/etc/victoria-runner/runner.conf";
    static final String ENV = "/etc/victoria-runner/runner.env";
    static final String CDS_ARCHIVE = "/usr/lib/victoria-runner/app-cds.jsa";
    static final String LINGER = "/var/lib/systemd/linger/victoria-runner";

    @Test
    void debInstallsUpgradesKeepingEditsRemovesAndPurges() throws IOException {
        require(Files.exists(Path.of("/etc/debian_version")) && onPath("dpkg"), "not a Debian machine");
        require("0".equals(ok("id", "-u").strip()), "installing a package needs root");
        require(!installed(), "victoria-runner is installed here: the test would replace and purge it");
        require(!Files.exists(Path.of(STATE)) && !Files.exists(Path.of("/etc/victoria-runner")),
                STATE + " or /etc/victoria-runner exists here: a purge would delete it");
        require(Files.exists(DEB), DEB + " was not built (-DskipPackages?)");
        boolean userExisted = run("getent", "passwd", "victoria-runner").exitCode() == 0;
        try {
            ok("dpkg", "-i", DEB.toString());
            assertInstalled();

            Files.writeString(Path.of(CONFIG), "max-concurrent-tasks = 2\n", StandardOpenOption.APPEND);
            Files.writeString(Path.of(STATE, "credentials.json"), "{}");
            ok("dpkg", "-i", DEB.toString());
            assertThat(Files.readString(Path.of(CONFIG))).endsWith("max-concurrent-tasks = 2\n");
            assertThat(Path.of(STATE, "credentials.json")).exists();
            assertThat(ok("grep", "-c", "^victoria-runner:", "/etc/subuid").strip()).isEqualTo("1");

            // a Java update: the trigger makes the archive again
            Files.delete(Path.of(CDS_ARCHIVE));
            ok("dpkg-trigger", "--no-await", "/usr/lib/jvm");
            ok("dpkg", "--triggers-only", "victoria-runner");
            assertArchiveUsable();

            ok("dpkg", "-r", "victoria-runner");
            assertThat(Path.of("/usr/bin/victoria-runner")).doesNotExist();
            assertThat(Path.of("/usr/lib/victoria-runner")).doesNotExist();
            assertThat(Files.readString(Path.of(CONFIG))).endsWith("max-concurrent-tasks = 2\n");
            assertThat(Path.of(STATE, "credentials.json")).exists();

            assertThat(Path.of(LINGER)).as("a removal keeps the user's instance: task containers run in it").exists();

            ok("dpkg", "-P", "victoria-runner");
            assertThat(Path.of("/etc/victoria-runner")).doesNotExist();
            assertThat(Path.of(STATE)).doesNotExist();
            assertThat(Path.of(LINGER)).doesNotExist();
        } finally {
            if (installed()) {
                ok("dpkg", "-P", "victoria-runner");
            }
            if (!userExisted && run("getent", "passwd", "victoria-runner").exitCode() == 0) {
                ok("userdel", "victoria-runner"); // also drops its group and subordinate ids
            }
        }
        if (!userExisted) {
            assertThat(ok("cat", "/etc/subuid", "/etc/subgid")).doesNotContain("victoria-runner:");
        }
    }

    private static void assertInstalled() throws IOException {
        assertThat(mode("/usr/bin/victoria-runner")).isEqualTo("755 root:root");
        assertThat(mode("/usr/lib/victoria-runner/quarkus-run.jar")).isEqualTo("644 root:root");
        assertThat(mode("/lib/systemd/system/victoria-runner.service")).isEqualTo("644 root:root");
        assertThat(mode(CONFIG)).isEqualTo("644 root:root");
        assertThat(mode(ENV)).isEqualTo("640 root:victoria-runner");
        assertThat(mode("/usr/share/doc/victoria-runner/README.md")).isEqualTo("644 root:root");
        assertThat(mode(STATE)).isEqualTo("700 victoria-runner:victoria-runner");
        assertThat(mode(STATE + "/Victoria")).isEqualTo("755 victoria-runner:victoria-runner");
        // rootless podman's own choice, vfs, would copy the whole image for every task container
        assertThat(mode(STATE + "/.config/containers/storage.conf")).isEqualTo("644 victoria-runner:victoria-runner");
        assertThat(Files.readString(Path.of(STATE, ".config/containers/storage.conf"))).contains("driver = \"overlay\"");
        // on cgroup v2 rootless podman enforces task limits only in the user's own systemd instance: linger keeps one
        // running (without systemd as PID 1, as here, the file loginctl would write), podman's systemd manager uses it
        assertThat(Files.readString(Path.of(STATE, ".config/containers/containers.conf.d/victoria-runner.conf")))
                .contains("cgroup_manager = \"systemd\"");
        assertThat(Path.of(LINGER)).exists();
        assertThat(lines(ok("dpkg-query", "-W", "-f=${Conffiles}\\n", "victoria-runner")))
                .extracting(line -> line.split(" ")[0]).containsExactlyInAnyOrder(CONFIG, ENV);

        assertThat(ok("getent", "passwd", "victoria-runner")).contains(":" + STATE + ":/usr/sbin/nologin");
        for (String ids : List.of("/etc/subuid", "/etc/subgid")) {
            assertThat(ok("cat", ids)).containsPattern("(?m)^victoria-runner:\\d+:65536$");
        }
        assertThat(mode("/usr/lib/victoria-runner/make-cds-archive")).isEqualTo("755 root:root");
        assertArchiveUsable();
        // the launcher passes the archive; nothing but the version and the User-Agent it makes on stdout
        assertThat(lines(ok("/usr/bin/victoria-runner", "--version"))).satisfiesExactly(
                version -> assertThat(version).isEqualTo("victoria-runner " + VERSION),
                agent -> assertThat(agent).startsWith("User-Agent: victoria-runner/" + VERSION + " ("));
        // the installed unit with its real ExecStart; systemd-analyze reports problems as output
        if (onPath("systemd-analyze")) {
            assertThat(ok("systemd-analyze", "verify", "--man=no", "/lib/systemd/system/victoria-runner.service")).isBlank();
        }
    }

    /** postinst's class-data-sharing archive maps on this Java: -Xshare:on refuses to start otherwise. */
    private static void assertArchiveUsable() {
        assertThat(mode(CDS_ARCHIVE)).isEqualTo("444 root:root");
        assertThat(ok("java", "-Xshare:on", "-XX:SharedArchiveFile=" + CDS_ARCHIVE, "-Xmx256m", "-jar",
                "/usr/lib/victoria-runner/quarkus-run.jar", "--version")).contains("victoria-runner " + VERSION);
    }

    @Test
    void rpmCarriesTheSameFilesAsTheDebWithScriptletsAndDependencies() {
        require(onPath("rpm") && onPath("dpkg-deb"), "rpm or dpkg-deb is not installed (Debian: the rpm and dpkg packages)");
        require(Files.exists(RPM) && Files.exists(DEB), "the packages were not built (-DskipPackages?)");
        List<String> rpmFiles = lines(ok("rpm", "-qp", "--qf", "[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\\n]",
                RPM.toString()));
        assertThat(rpmFiles).contains(
                "-rwxr-xr-x root:root  /usr/bin/victoria-runner",
                "-rw-r--r-- root:root  /usr/lib/systemd/system/victoria-runner.service",
                "-rw-r--r-- root:root cn /etc/victoria-runner/runner.conf",
                "-rw-r----- root:victoria-runner cn /etc/victoria-runner/runner.env",
                "-rw-r--r-- root:root d /usr/share/doc/victoria-runner/README.md",
                "-rw-r--r-- root:root  /usr/lib/victoria-runner/quarkus-run.jar",
                "-rwxr-xr-x root:root  /usr/lib/victoria-runner/make-cds-archive");
        Set<String> debFiles = lines(ok("dpkg-deb", "--contents", DEB.toString())).stream()
                .filter(line -> !line.startsWith("d")).map(line -> line.substring(line.lastIndexOf(" ./") + 2))
                .map(path -> path.replaceFirst("^/lib/systemd/", "/usr/lib/systemd/")).collect(Collectors.toSet());
        assertThat(rpmFiles.stream().filter(line -> !line.startsWith("d")).map(line -> line.substring(line.lastIndexOf(' ') + 1)))
                .containsExactlyInAnyOrderElementsOf(debFiles);

        assertThat(ok("rpm", "-qp", "--scripts", RPM.toString()))
                .contains("preinstall scriptlet", "useradd --system", "--add-subuids", "postinstall scriptlet",
                        "systemctl try-restart --no-block victoria-runner.service", "make-cds-archive", "preuninstall scriptlet",
                        "systemctl stop victoria-runner.service", "postuninstall scriptlet");
        assertThat(lines(ok("rpm", "-qp", "--requires", RPM.toString()))).contains(
                "(java-17-headless or java-21-headless or java-25-headless)", "rpmlib(RichDependencies) <= 4.12.0-1",
                "/usr/sbin/useradd", "/usr/sbin/usermod");
        assertThat(lines(ok("rpm", "-qp", "--recommends", RPM.toString()))).containsExactly("(podman or docker-ce or moby-engine)");
    }

    /**
     * The JVM app runs on any architecture, so its packages are {@code all} / {@code noarch} (a Graviton, Ampere or
     * Jetson host installs them); packages carrying a native executable are for the architecture it was built on.
     */
    @Test
    void packagesOfTheJvmAppInstallOnAnyArchitectureAndNativeOnesOnTheBuildMachinesOnly() {
        require(onPath("rpm") && onPath("dpkg-deb"), "rpm or dpkg-deb is not installed (Debian: the rpm and dpkg packages)");
        require(Files.exists(RPM) && Files.exists(DEB), "the packages were not built (-DskipPackages?)");
        String debArchitecture = ok("dpkg-deb", "-f", DEB.toString(), "Architecture").strip();
        String rpmArchitecture = ok("rpm", "-qp", "--queryformat", "%{ARCH}", RPM.toString()).strip();

        if (lines(ok("dpkg-deb", "--contents", DEB.toString())).stream()
                .anyMatch(line -> line.endsWith("./usr/lib/victoria-runner/quarkus-run.jar"))) {
            assertThat(debArchitecture).isEqualTo("all");
            assertThat(rpmArchitecture).isEqualTo("noarch");
        } else {
            assertThat(debArchitecture).isEqualTo(ok("dpkg", "--print-architecture").strip());
            assertThat(rpmArchitecture).isEqualTo(ok("rpm", "--eval", "%{_arch}").strip());
        }
        assertThat(DEB.getFileName().toString()).endsWith("_" + debArchitecture + ".deb");
        assertThat(RPM.getFileName().toString()).endsWith("." + rpmArchitecture + ".rpm");
    }

    /**
     * No native executable is built here (no GraalVM), so the native profile's packages are judged in Maven's effective
     * POM: the Debian and RPM architecture of this machine, as dpkg and rpm name it, in the control file's value and
     * in both file names.
     */
    @Test
    void theNativeProfileMakesPackagesForThisMachinesArchitecture() throws Exception {
        String maven = System.getProperty("maven.home") + "/bin/mvn";
        require(Files.isExecutable(Path.of(maven)) && onPath("dpkg") && onPath("rpm"), "no Maven (maven.home), dpkg or rpm");
        Path effective = Files.createTempFile("effective-pom-", ".xml");
        try {
            ok(maven, "-B", "-q", "-ntp", "-Pnative", "org.apache.maven.plugins:maven-help-plugin:3.5.2:effective-pom",
                    "-Doutput=" + effective);
            Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(effective.toFile());
            XPath xpath = XPathFactory.newInstance().newXPath();
            String debArchitecture = ok("dpkg", "--print-architecture").strip();

            assertThat(xpath.evaluate("/project/properties/packaging.deb.architecture", pom)).isEqualTo(debArchitecture);
            assertThat(xpath.evaluate("/project/build/plugins/plugin[artifactId='jdeb']//deb", pom))
                    .endsWith("_" + debArchitecture + ".deb");
            assertThat(xpath.evaluate("/project/build/plugins/plugin[artifactId='rpm']//architecture", pom))
                    .isEqualTo(ok("rpm", "--eval", "%{_arch}").strip());
        } finally {
            Files.deleteIfExists(effective);
        }
    }

    private static boolean installed() {
        Commands.Result status = run("dpkg-query", "-W", "-f=${db:Status-Status}", "victoria-runner");
        return status.exitCode() == 0 && !status.output().strip().equals("not-installed");
    }

    /** "755 root:root" */
    private static String mode(String path) {
        return ok("stat", "-c", "%a %U:%G", path).strip();
    }
}
