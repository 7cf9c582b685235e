package com.elcanotek.victoria.runner.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.doctor.Check.Result;
import com.elcanotek.victoria.runner.doctor.Doctor.RunnerFile;

/** The owners and modes of the runner's files, and where its state dir lies. */
class ConfigurationChecksTest {

    private final String user = System.getProperty("user.name");
    private final ConfigurationChecks checks = new ConfigurationChecks(user);

    @TempDir
    Path dir;

    @Test
    void aSecretReadableByItsOwnerAndGroupAloneIsFine() throws Exception {
        Path env = file("runner.env", "rw-r-----");

        Check check = checks.file(new RunnerFile("the environment file", env, true));

        assertThat(check.result()).isEqualTo(Result.OK);
        assertThat(check.why()).contains("rw-r-----", user);
    }

    @Test
    void aSecretEveryUserCanReadFails() throws Exception {
        Path env = file("runner.env", "rw-r--r--");

        Check check = checks.file(new RunnerFile("the environment file", env, true));

        assertThat(check.result()).isEqualTo(Result.FAIL);
        assertThat(check.why()).contains("holds a secret every user can read");
        assertThat(check.fix()).isEqualTo("chmod o-rwx " + env);
        assertThat(checks.file(new RunnerFile("the config file", env, false)).result()).isEqualTo(Result.OK);
    }

    @Test
    void aFileOthersCanChangeFails() throws Exception {
        Path conf = file("runner.conf", "rw-rw-rw-");

        Check check = checks.file(new RunnerFile("the config file", conf, false));

        assertThat(check.result()).isEqualTo(Result.FAIL);
        assertThat(check.fix()).isEqualTo("chmod go-w " + conf);
    }

    @Test
    void aFileOfAnotherUserIsAWarning() throws Exception {
        Path conf = file("runner.conf", "rw-r--r--");
        UserPrincipal nobody = conf.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(conf, nobody);

        Check check = checks.file(new RunnerFile("the config file", conf, false));

        assertThat(check.result()).isEqualTo(Result.WARN);
        assertThat(check.why()).contains("owned by nobody");
    }

    @Test
    void aMissingFileFails() {
        Check check = checks.file(new RunnerFile("the CA file", dir.resolve("missing.pem"), false));

        assertThat(check.result()).isEqualTo(Result.FAIL);
        assertThat(check.why()).contains("does not exist");
    }

    @Test
    void aPrivateStateDirOutsideTheHomeIsFineAndOneInsideFails() throws Exception {
        Path home = Files.createDirectories(dir.resolve("Victoria"));
        Path state = Files.createDirectory(dir.resolve("state"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));

        assertThat(checks.stateDir(state, home).result()).isEqualTo(Result.OK);
        assertThat(checks.stateDir(dir.resolve("not-yet"), home).result()).isEqualTo(Result.OK);

        Check inside = checks.stateDir(home.resolve("state"), home);
        assertThat(inside.result()).isEqualTo(Result.FAIL);
        assertThat(inside.why()).contains("inside the Victoria home", "node key");
        Path link = Files.createSymbolicLink(dir.resolve("home-link"), home);
        assertThat(checks.stateDir(link.resolve("state"), home).result()).as("through a link").isEqualTo(Result.FAIL);
    }

    @Test
    void aStateDirOthersCanLookIntoOrOfAnotherUserFails() throws Exception {
        Path home = dir.resolve("Victoria");
        Path open = Files.createDirectory(dir.resolve("open"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        assertThat(checks.stateDir(open, home).result()).isEqualTo(Result.FAIL);
        assertThat(checks.stateDir(open, home).fix()).isEqualTo("chmod 700 " + open);

        Path others = Files.createDirectory(dir.resolve("others"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.setOwner(others, others.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThat(checks.stateDir(others, home).result()).isEqualTo(Result.FAIL);
        assertThat(checks.stateDir(others, home).why()).contains("not " + user + "'s");
    }

    private Path file(String name, String mode) throws Exception {
        Path file = Files.writeString(dir.resolve(name), "x=1\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }
}
