package com.elcanotek.victoria.runner.network;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities the runner trusts for HTTPS: the JVM's own, the system's ({@code SSL_CERT_FILE}, else the
 * distribution's bundle file, plus the {@code SSL_CERT_DIR} folders), and the operator's
 * {@code --ca-file} on top, as OpenSSL-based tools add a private CA; or, with {@code --ca-file-only}, that file alone.
 *
 * @param caFile the operator's PEM bundle; null for none
 * @param caFileOnly trust {@code caFile} alone
 * @param systemFile the system's bundle: {@code SSL_CERT_FILE} or the first of {@link #SYSTEM_BUNDLES} there is; null for none
 * @param systemDirs the {@code SSL_CERT_DIR} folders
 */
public record Trust(Path caFile, boolean caFileOnly, Path systemFile, List<Path> systemDirs) {

    /** Where distributions keep their bundle (Debian and Ubuntu, Fedora and RHEL, SUSE, RHEL 7, Alpine), as Go looks. */
    static final List<Path> SYSTEM_BUNDLES = List.of(Path.of("/etc/ssl/certs/ca-certificates.crt"),
            Path.of("/etc/pki/tls/certs/ca-bundle.crt"), Path.of("/etc/ssl/ca-bundle.pem"),
            Path.of("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"), Path.of("/etc/ssl/cert.pem"));

    /** The name OpenSSL gives a certificate in a folder: its subject's hash and a counter. */
    private static final Pattern HASHED = Pattern.compile("[0-9a-f]{8}\\.[0-9]+");

    public Trust {
        systemDirs = List.copyOf(systemDirs);
    }

    /** The trust an environment gives: {@code SSL_CERT_FILE} and {@code SSL_CERT_DIR} (colon-separated) if set. */
    public static Trust of(Path caFile, boolean caFileOnly, Map<String, String> environment) {
        String file = environment.get("SSL_CERT_FILE");
        Path systemFile = file != null && !file.isBlank() ? Path.of(file.strip())
                : SYSTEM_BUNDLES.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        List<Path> dirs = new ArrayList<>();
        String dirList = environment.get("SSL_CERT_DIR");
        if (dirList != null) {
            for (String dir : dirList.split(":")) {
                if (!dir.isBlank()) {
                    dirs.add(Path.of(dir.strip()));
                }
            }
        }
        return new Trust(caFile, caFileOnly, systemFile, dirs);
    }

    /**
     * Every trusted certificate, by where it came from ("the JVM", a file or a folder), each once.
     *
     * @throws IllegalArgumentException when the CA file cannot be read or holds no certificate (the system's files
     *         are read as far as they can be: a missing one is no error)
     */
    public Map<String, List<X509Certificate>> sources() {
        Map<String, List<X509Certificate>> sources = new LinkedHashMap<>();
        Set<X509Certificate> seen = new LinkedHashSet<>();
        if (!caFileOnly) {
            sources.put("the JVM", fresh(jvmAuthorities(), seen));
            if (systemFile != null) {
                sources.put(systemFile.toString(), fresh(readQuietly(systemFile), seen));
            }
            for (Path dir : systemDirs) {
                sources.put(dir + "/", fresh(readDir(dir), seen));
            }
        }
        if (caFile != null) {
            List<X509Certificate> given = read(caFile);
            if (given.isEmpty()) {
                throw new IllegalArgumentException("no certificate in CA file " + caFile);
            }
            sources.put(caFile.toString(), fresh(given, seen));
        }
        return sources;
    }

    /** Reads the CA file as the client will. @throws IllegalArgumentException when it is unreadable or holds none */
    public void check() {
        if (caFile != null && read(caFile).isEmpty()) {
            throw new IllegalArgumentException("no certificate in CA file " + caFile);
        }
    }

    public List<X509Certificate> certificates() {
        return sources().values().stream().flatMap(List::stream).toList();
    }

    /** A trust store of {@link #certificates()}, for the REST client. */
    public KeyStore keyStore() {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate certificate : certificates()) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the trust store: " + e.getMessage(), e);
        }
    }

    /** {@link #certificates()} as one PEM bundle, for task containers. */
    public String pem() {
        StringBuilder pem = new StringBuilder();
        Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (X509Certificate certificate : certificates()) {
            try {
                pem.append("-----BEGIN CERTIFICATE-----\n").append(base64.encodeToString(certificate.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot encode " + certificate.getSubjectX500Principal(), e);
            }
        }
        return pem.toString();
    }

    /**
     * E.g. "the JVM (140), /etc/ssl/certs/ca-certificates.crt (+3), /etc/x/ca.pem (+1)": each source with the authorities
     * it adds to those before it, for the log and the doctor.
     */
    public String describe() {
        List<String> parts = new ArrayList<>();
        sources().forEach((source, certificates) -> parts.add(source + " (" + (parts.isEmpty() ? "" : "+")
                + certificates.size() + ")"));
        return String.join(", ", parts);
    }

    private static List<X509Certificate> fresh(List<X509Certificate> certificates, Set<X509Certificate> seen) {
        return certificates.stream().filter(seen::add).toList();
    }

    private static List<X509Certificate> jvmAuthorities() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return List.of(x509.getAcceptedIssuers());
                }
            }
            return List.of();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the JVM's trusted authorities: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException naming the file when it cannot be read or parsed */
    static List<X509Certificate> read(Path pemFile) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(pemFile))) {
            Collection<? extends Certificate> certificates = x509().generateCertificates(in);
            return certificates.stream().filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read CA file " + pemFile + ": " + e.getMessage(), e);
        }
    }

    private static CertificateFactory x509() throws GeneralSecurityException {
        return CertificateFactory.getInstance("X.509");
    }

    private static List<X509Certificate> readQuietly(Path file) {
        try {
            return read(file);
        } catch (IllegalArgumentException unreadable) {
            return List.of();
        }
    }

    /**
     * The files OpenSSL looks up in such a folder, those named by a subject hash ({@code 5ad8a5d6.0}), each once: in a
     * c_rehash'd folder such as /etc/ssl/certs they are links to the same files as the names beside them.
     */
    private static List<X509Certificate> readDir(Path dir) {
        List<X509Certificate> certificates = new ArrayList<>();
        Set<Path> read = new LinkedHashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, file -> HASHED.matcher(file.getFileName().toString())
                .matches())) {
            for (Path file : files) {
                try {
                    if (Files.isRegularFile(file) && read.add(file.toRealPath())) {
                        certificates.addAll(readQuietly(file));
                    }
                } catch (IOException unreadable) {
                    // a dangling link: nothing to trust there
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // a folder that is not there holds nothing to trust
        }
        return certificates;
    }
}
