package com.elcanotek.victoria.runner.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The user a state dir belongs to, who is the daemon's user: an operator command run from a root shell ({@code sudo
 * victoria-runner drain}) acts as that user, so that what it writes into the state dir is the daemon's to read, and
 * what it asks the container engine is asked of the daemon's engine (rootless podman keeps images and containers per
 * user). Anyone else acts as themselves: only root can act for another user, and one's own state dir needs nothing.
 */
public final class StateDirOwner {

    /** The variables that point a container CLI at its engine, which the daemon records for commands acting as its user. */
    static final List<String> ENGINE_VARIABLES = List.of("XDG_RUNTIME_DIR", "CONTAINER_HOST", "DOCKER_HOST");

    private final Path existing;
    private final int uid;
    private final int gid;
    private final boolean actsForOwner;

    private StateDirOwner(Path existing, int uid, int gid, boolean actsForOwner) {
        this.existing = existing;
        this.uid = uid;
        this.gid = gid;
        this.actsForOwner = actsForOwner;
    }

    /**
     * The owner of {@code stateDir}, or, while it does not exist, of the folder it will be created in.
     *
     * @throws UncheckedIOException when the owner cannot be read
     */
    public static StateDirOwner of(Path stateDir) {
        Path existing = NearestExisting.of(stateDir);
        if (!isRoot()) {
            return new StateDirOwner(existing, -1, -1, false);
        }
        try {
            int uid = (Integer) Files.getAttribute(existing, "unix:uid");
            int gid = (Integer) Files.getAttribute(existing, "unix:gid");
            return new StateDirOwner(existing, uid, gid, uid != 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell who owns " + existing, e);
        }
    }

    /** Whether this process is root acting for the state dir's owner, another user. */
    public boolean actsForOwner() {
        return actsForOwner;
    }

    /** The owner's user name, as the system knows it. */
    public String user() {
        try {
            return Files.getOwner(existing).getName();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell who owns " + existing, e);
        }
    }

    /** Gives {@code path}, which this process just made, to the state dir's owner (nothing unless acting for them). */
    public void adopt(Path path) throws IOException {
        if (actsForOwner) {
            Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /**
     * {@code command} run as the owner, with the engine variables the daemon runs with (or, before a daemon recorded
     * them, the owner's login runtime dir where it has one): {@code runuser} sets the user, its groups and its home,
     * {@code env} the variables, none of root's own, and a working directory the owner may enter (rootless podman
     * fails in root's). Unchanged unless acting for the owner.
     *
     * @param engineEnvironment where the daemon recorded its engine variables ({@link Layout#engineEnvironment()})
     */
    public List<String> asOwner(List<String> command, Path engineEnvironment) {
        if (!actsForOwner) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", user(), "--", "env", "--chdir=" + existing,
                "-u", "DBUS_SESSION_BUS_ADDRESS"));
        ENGINE_VARIABLES.forEach(name -> wrapped.addAll(List.of("-u", name)));
        engineEnvironment(engineEnvironment).forEach((name, value) -> wrapped.add(name + "=" + value));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Called by the daemon at start: what {@link #asOwner} gives the commands acting as its user. */
    public static void recordEngineEnvironment(Path file, Map<String, String> environment) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (String name : ENGINE_VARIABLES) {
            String value = environment.get(name);
            if (value != null && !value.isBlank() && value.indexOf('\n') < 0) {
                lines.append(name).append('=').append(value).append('\n');
            }
        }
        StateFiles.writeAtomically(file, lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, String> engineEnvironment(Path file) {
        Map<String, String> variables = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int at = line.indexOf('=');
                if (at > 0 && ENGINE_VARIABLES.contains(line.substring(0, at))) {
                    variables.put(line.substring(0, at), line.substring(at + 1));
                }
            }
        } catch (IOException noDaemonYet) {
            Path login = Path.of("/run/user", Integer.toString(uid));
            if (Files.isDirectory(login)) {
                variables.put("XDG_RUNTIME_DIR", login.toString());
            }
        }
        return variables;
    }

    /** The effective user of this process owns its {@code /proc/self}; where there is none, no user is root here. */
    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | UnsupportedOperationException noProc) {
            return false;
        }
    }
}
