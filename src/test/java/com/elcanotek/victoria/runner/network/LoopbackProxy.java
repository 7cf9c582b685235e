package com.elcanotek.victoria.runner.network;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real HTTP proxy from Debian on a free loopback port, started by the test in the foreground (never as a system
 * service) with a configuration of its own, and stopped at the end: tinyproxy (plain, with credentials, refusing), or
 * squid (the only one that knows the orchestrator's name; with credentials; bumping TLS with a test authority). .ci/setup-podman.sh installs both.
 */
public final class LoopbackProxy implements AutoCloseable {

    /** The orchestrator's name as only {@link #squid} resolves it. */
    public static final String ORCHESTRATOR = "orchestrator.test";
    private static final Duration START_LIMIT = Duration.ofSeconds(20);

    private final Process process;
    private final Path dir;
    private final int port;
    private final Path log;

    private LoopbackProxy(Process process, Path dir, int port, Path log) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.log = log;
    }

    /** tinyproxy with these extra configuration lines, e.g. {@code BasicAuth user password} or {@code Deny 127.0.0.1}. */
    public static LoopbackProxy tinyproxy(String... lines) throws IOException {
        Path dir = Files.createTempDirectory("victoria-tinyproxy-");
        int port = freePort();
        Path log = dir.resolve("tinyproxy.log");
        StringBuilder config = new StringBuilder("Port " + port + "\nListen 127.0.0.1\nTimeout 60\nLogFile \"" + log
                + "\"\nLogLevel Info\nMaxClients 100\nDisableViaHeader Yes\n");
        for (String line : lines) {
            config.append(line).append('\n');
        }
        Path file = Files.writeString(dir.resolve("tinyproxy.conf"), config);
        return start(List.of("tinyproxy", "-d", "-c", file.toString()), dir, port, log);
    }

    /**
     * squid, which alone knows the name {@link #ORCHESTRATOR} (its own hosts file maps it to 127.0.0.1; no DNS has it,
     * .test being reserved): an orchestrator called so is reached through it or not at all. It drops root for its
     * {@code proxy} user, which must read its folder (in /tmp, not in the test's private one).
     *
     * @param user with {@code password}, the credentials it asks for (basic authentication); null for none
     * @param bump when not null, every TLS connection is bumped with certificates this authority signs on the fly, and
     *        the servers behind are trusted when {@code originAuthority} signed them
     */
    public static LoopbackProxy squid(String user, String password, TestAuthority bump, Path originAuthority)
            throws IOException {
        Path dir = Files.createTempDirectory("victoria-squid-");
        int port = freePort();
        Path log = dir.resolve("access.log");
        List<String> config = new ArrayList<>();
        config.add("hosts_file " + Files.writeString(dir.resolve("hosts"), "127.0.0.1 " + ORCHESTRATOR + "\n"));
        if (bump == null) {
            config.add("http_port 127.0.0.1:" + port);
        } else {
            Path database = dir.resolve("ssl_db");
            run(List.of("/usr/lib/squid/security_file_certgen", "-c", "-s", database.toString(), "-M", "4MB"));
            config.addAll(List.of("http_port 127.0.0.1:" + port + " ssl-bump generate-host-certificates=on"
                    + " dynamic_cert_mem_cache_size=4MB tls-cert=" + Files.copy(bump.certificate(), dir.resolve("bump-ca.pem"))
                    + " tls-key=" + Files.copy(bump.key(), dir.resolve("bump-ca.key")),
                    "sslcrtd_program /usr/lib/squid/security_file_certgen -s " + database + " -M 4MB",
                    "sslcrtd_children 2", "acl step1 at_step SslBump1", "ssl_bump peek step1", "ssl_bump bump all",
                    "tls_outgoing_options cafile=" + Files.copy(originAuthority, dir.resolve("origin-ca.pem"))));
        }
        if (user != null) {
            Path passwords = Files.writeString(dir.resolve("passwords"), user + ":" + openssl("passwd", "-1", password).strip() + "\n");
            config.addAll(List.of("auth_param basic program /usr/lib/squid/basic_ncsa_auth " + passwords,
                    "auth_param basic realm victoria-runner-test", "acl users proxy_auth REQUIRED", "http_access allow users",
                    "http_access deny all"));
        } else {
            config.add("http_access allow all");
        }
        config.addAll(List.of("access_log " + log, "cache_log " + dir.resolve("cache.log"), "pid_filename "
                + dir.resolve("squid.pid"), "cache deny all", "coredump_dir " + dir, "shutdown_lifetime 1 seconds",
                "cache_effective_user proxy", ""));
        Path file = Files.writeString(dir.resolve("squid.conf"), String.join("\n", config));
        run(List.of("chown", "-R", "proxy", dir.toString()));
        run(List.of("chmod", "755", dir.toString()));
        return start(List.of("squid", "-N", "-f", file.toString()), dir, port, log);
    }

    private static LoopbackProxy start(List<String> command, Path dir, int port, Path log) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile()).start();
        LoopbackProxy proxy = new LoopbackProxy(process, dir, port, log);
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String console = Files.readString(dir.resolve("console.log"));
                proxy.close();
                throw new IllegalStateException(command.get(0) + " exited at start: " + console);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return proxy;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        proxy.close();
        throw new IllegalStateException(command.get(0) + " did not listen on " + port + " within " + START_LIMIT);
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code http://user:password@127.0.0.1:PORT}. */
    public String url(String user, String password) {
        return "http://" + user + ":" + password + "@127.0.0.1:" + port;
    }

    /** What the proxy logged so far (tinyproxy's log, squid's access log). */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        helpers.forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover in /tmp is no failure of the test
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String openssl(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) throws IOException {
        try {
            Process process = new ProcessBuilder(command).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out
                        + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
