package com.elcanotek.victoria.runner.network;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A certificate authority of a test's own, made with the openssl CLI (.ci/setup-podman.sh installs it): its
 * certificate and key as PEM files (what squid's ssl-bump signs with), and server certificates it signs for
 * {@code localhost} (what the fake orchestrator serves).
 */
public record TestAuthority(String name, Path certificate, Path key) {

    private static final String PASSWORD = "changeit";

    /** A new authority in {@code dir}, valid for two days. */
    public static TestAuthority create(Path dir, String name) {
        Path certificate = dir.resolve(name + "-ca.pem");
        Path key = dir.resolve(name + "-ca.key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", certificate.toString(),
                "-days", "2", "-subj", "/CN=" + name + " Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new TestAuthority(name, certificate, key);
    }

    /** A server key and certificate for localhost, {@link LoopbackProxy#ORCHESTRATOR} and 127.0.0.1 signed by this authority, as a server's TLS context. */
    public SSLContext serverContext(Path dir) {
        Path key = dir.resolve(name + "-server.key");
        Path request = dir.resolve(name + "-server.csr");
        Path certificate = dir.resolve(name + "-server.pem");
        Path extensions = dir.resolve(name + "-server.ext");
        Path keystore = dir.resolve(name + "-server.p12");
        try {
            Files.writeString(extensions, "subjectAltName=DNS:localhost,DNS:" + LoopbackProxy.ORCHESTRATOR
                    + ",IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", request.toString(), "-subj",
                    "/CN=localhost/O=" + name);
            openssl("x509", "-req", "-in", request.toString(), "-CA", certificate().toString(), "-CAkey", key().toString(),
                    "-CAcreateserial", "-out", certificate.toString(), "-days", "2", "-extfile", extensions.toString());
            openssl("pkcs12", "-export", "-in", certificate.toString(), "-inkey", key.toString(), "-certfile",
                    certificate().toString(), "-out", keystore.toString(), "-passout", "pass:" + PASSWORD);
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, PASSWORD.toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a server certificate of " + name, e);
        }
    }

    private static void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("openssl " + args[0] + " failed (.ci/setup-podman.sh installs openssl): " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("openssl is not installed: run .ci/setup-podman.sh as root", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
